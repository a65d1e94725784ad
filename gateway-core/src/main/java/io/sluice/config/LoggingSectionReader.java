package io.sluice.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the top-level {@code logging:} section: levels (default and per logger) and the line format. */
final class LoggingSectionReader {

  static final List<String> KEYS = List.of("level", "levels", "format");
  private static final Map<String, LoggingConfig.Level> LEVELS = UpstreamSectionReader.words(LoggingConfig.Level.values());
  private static final Map<String, LoggingConfig.Format> FORMATS = UpstreamSectionReader.words(LoggingConfig.Format.values());

  private LoggingSectionReader() {}

  static LoggingConfig read(YamlNode node) {
    YamlMap logging = node.map(KEYS);
    LoggingConfig d = LoggingConfig.DEFAULTS;
    LoggingConfig.Level level = logging.optional("level").flatMap(n -> n.oneOf("level", LEVELS)).orElse(d.level());
    Map<String, LoggingConfig.Level> levels = new LinkedHashMap<>();
    logging.optional("levels").ifPresent(map -> {
      for (YamlMap.Entry entry : map.freeMap().entries()) {
        if (!isLoggerName(entry.key())) {
          entry.keyNode().problem("logger name " + Messages.quote(entry.key())
              + " (expected: a dotted name such as io.sluice.upstream or io.netty)");
          continue;
        }
        entry.value().oneOf("level", LEVELS).ifPresent(l -> levels.put(entry.key(), l));
      }
    });
    LoggingConfig.Format format = logging.optional("format").flatMap(n -> n.oneOf("format", FORMATS)).orElse(d.format());
    return new LoggingConfig(level, levels, format);
  }

  /** Java logger names: identifiers separated by dots. */
  private static boolean isLoggerName(String name) {
    if (name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '.' && !Character.isJavaIdentifierPart(c)) {
        return false;
      }
    }
    return true;
  }
}
