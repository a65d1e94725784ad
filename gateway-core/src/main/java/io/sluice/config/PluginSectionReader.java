package io.sluice.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads {@code plugins:} lists (the global one and each route's) and {@code plugin_dirs:}.
 * A plugin's config is bound to the record its factory declares; {@code enabled},
 * {@code enforce}, {@code timeout} and {@code max_concurrent} belong to the gateway and are read
 * here, not bound.
 */
final class PluginSectionReader {

  static final List<String> RESERVED_KEYS = List.of("enabled", "enforce", "timeout", "max_concurrent");

  private static final String ENTRY = "a plugin name with its config, such as '- cors: {}'";

  private final PluginCatalog catalog;
  /** The global entries by name while routes are read; empty while the global list itself is read. */
  private final Map<String, PluginUse> global;

  private PluginSectionReader(PluginCatalog catalog, Map<String, PluginUse> global) {
    this.catalog = catalog;
    this.global = global;
  }

  /** A reader for the global list. */
  static PluginSectionReader global(PluginCatalog catalog) {
    return new PluginSectionReader(catalog, Map.of());
  }

  /** A reader for route lists, whose entries may refer to these global ones. */
  PluginSectionReader forRoutes(List<PluginUse> globalUses) {
    Map<String, PluginUse> byName = new LinkedHashMap<>();
    globalUses.forEach(use -> byName.put(use.name(), use));
    return new PluginSectionReader(catalog, byName);
  }

  /**
   * The entries of a {@code plugins:} list, in YAML order. An entry whose config could not be
   * bound (already reported) is kept with a {@code null} config, so that routes can still refer to it.
   */
  List<PluginUse> read(YamlNode node) {
    FirstSeen names = new FirstSeen("plugin");
    Set<String> listed = new HashSet<>();
    List<PluginUse> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      entry(item).ifPresent(entry -> {
        names.add(entry.keyNode(), entry.key());
        if (listed.add(entry.key())) {
          use(item, entry).ifPresent(out::add);
        }
      });
    }
    return out;
  }

  /** The one {@code name: config} pair of a list item. */
  private static Optional<YamlMap.Entry> entry(YamlNode item) {
    if (!item.isMap()) {
      item.wrongType(ENTRY);
      return Optional.empty();
    }
    YamlMap map = item.freeMap();
    if (map.written() == 0) {
      item.problem("empty list item (expected: " + ENTRY + ")");
    } else if (map.written() > 1) {
      String keys = String.join(", ", map.entries().stream().map(e -> Messages.quote(e.key())).toList());
      item.problem("one list item holds " + map.written() + " keys: " + keys
          + " (expected: one plugin per item, such as '- cors: {}', its config indented under its name)");
    } else {
      return map.entries().stream().findFirst();
    }
    return Optional.empty();
  }

  private Optional<PluginUse> use(YamlNode item, YamlMap.Entry entry) {
    String name = entry.key();
    Optional<Class<? extends Record>> type = catalog.configType(name);
    if (type.isEmpty()) {
      entry.keyNode().problem("unknown plugin " + Messages.quote(name) + " (" + installed(name) + ")");
      return Optional.empty();
    }
    List<String> clashes = RecordBinder.keys(type.get()).stream().filter(RESERVED_KEYS::contains).toList();
    if (!clashes.isEmpty()) {
      entry.keyNode().problem("plugin " + Messages.quote(name) + " declares the config key " + Messages.quote(clashes.get(0))
          + ", which the gateway reserves for every plugin (" + String.join(", ", RESERVED_KEYS)
          + "): the plugin must rename it");
      return Optional.empty();
    }
    YamlNode node = entry.value();
    YamlMap config = node.map(Stream.concat(RecordBinder.keys(type.get()).stream(), RESERVED_KEYS.stream()).toList());
    PluginUse inherited = global.get(name);
    boolean ownConfig = config.entries().stream().anyMatch(e -> !RESERVED_KEYS.contains(e.key()));
    // a route entry without config of its own changes only the gateway's keys of the global entry
    boolean inherits = inherited != null && !ownConfig;
    boolean enabled = config.optional("enabled").flatMap(YamlNode::bool).orElse(!inherits || inherited.enabled());
    boolean enforce = config.optional("enforce").flatMap(YamlNode::bool).orElse(!inherits || inherited.enforce());
    Duration timeout = timeout(config).orElse(inherits ? inherited.timeout() : PluginUse.DEFAULT_TIMEOUT);
    int maxConcurrent = maxConcurrent(name, config).orElse(inherits ? inherited.maxConcurrent() : PluginUse.DEFAULT_MAX_CONCURRENT);
    Record bound = inherits ? null : RecordBinder.bind(node, config, type.get()).orElse(null);
    return Optional.of(new PluginUse(name, bound, enabled, enforce, timeout, maxConcurrent, item.position(), item.path()));
  }

  /** {@code timeout}: above zero, and at most {@link PluginUse#MAX_TIMEOUT} (a request is not held longer). */
  private static Optional<Duration> timeout(YamlMap config) {
    return config.optional("timeout").flatMap(node -> node.duration(false).flatMap(timeout -> {
      if (timeout.compareTo(PluginUse.MAX_TIMEOUT) > 0) {
        node.problem(Messages.invalid(node.text("").orElse(""), "a duration of at most 1d"));
        return Optional.empty();
      }
      return Optional.of(timeout);
    }));
  }

  /** {@code max_concurrent}: only a plugin that blocks holds a thread per call, which the bound is about. */
  private Optional<Integer> maxConcurrent(String name, YamlMap config) {
    Optional<YamlNode> node = config.optional("max_concurrent");
    if (node.isPresent() && !catalog.isBlocking(name)) {
      node.get().problem("applies to blocking plugins only ("
          + Messages.quote(name) + " decides on the event loop and holds no thread while it waits)");
      return Optional.empty();
    }
    return node.flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of calls, at least 1"));
  }

  private String installed(String name) {
    List<String> names = catalog.names().stream().sorted().toList();
    if (names.isEmpty()) {
      return "no plugins are installed";
    }
    return DidYouMean.closest(name, names).map(c -> "did you mean '" + c + "'?").orElse("installed plugins: " + String.join(", ", names));
  }

  /**
   * {@code plugin_dirs:}: folders, relative ones resolved against {@code baseDir} (the config
   * file's folder), as absolute, normalized paths. Whether they exist is checked when jars are loaded.
   */
  static List<String> dirs(YamlNode node, Path baseDir) {
    FirstSeen seen = new FirstSeen("plugin folder");
    List<String> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      item.as("a folder path", text -> folder(text, baseDir)).ifPresent(dir -> {
        seen.add(item, dir);
        out.add(dir);
      });
    }
    return out;
  }

  private static String folder(String text, Path baseDir) {
    if (text.isBlank()) {
      throw new IllegalArgumentException(Messages.invalid(text, "a folder path"));
    }
    try {
      return baseDir.resolve(text).toAbsolutePath().normalize().toString();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(Messages.invalid(text, "a folder path; " + e.getReason()));
    }
  }
}
