package io.sluice.config;

import java.util.Map;

/**
 * The top-level {@code logging:} section: the gateway's own log (not the access log).
 *
 * @param level the level of every logger not named in {@code levels}
 * @param levels levels by logger name (a name covers the loggers below it: {@code io.sluice.upstream} covers
 *     {@code io.sluice.upstream.HealthChecker}), in document order
 * @param format the line format
 */
public record LoggingConfig(Level level, Map<String, Level> levels, Format format) {

  public static final LoggingConfig DEFAULTS = new LoggingConfig(Level.INFO, Map.of(), Format.TEXT);

  public LoggingConfig {
    levels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(levels));
  }

  /** A log level, from the most to the least severe; {@code OFF} silences a logger. */
  public enum Level { OFF, ERROR, WARN, INFO, DEBUG, TRACE }

  /** The line format. */
  public enum Format {
    /** {@code 2026-11-23T16:40:34.509Z INFO io.sluice.server.GatewayServer: message}. */
    TEXT,
    /** One JSON object per line: time, level, logger, thread, message, exception. */
    JSON
  }
}
