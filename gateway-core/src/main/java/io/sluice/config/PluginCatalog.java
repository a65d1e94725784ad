package io.sluice.config;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the config loader needs to know about the plugins that are installed: their names, the
 * records their YAML binds to, and which of them block. The gateway builds one from the plugin
 * factories it found.
 */
public interface PluginCatalog {

  /** The types a plugin config record's components may have, for messages. */
  String SUPPORTED_TYPES = RecordBinder.supported();

  /**
   * The components of {@code type} (and of records, lists, sets and maps in it) that no YAML can
   * set, as {@code Record.component (type)}; empty when the whole record can be bound.
   */
  static java.util.List<String> unbindable(Class<? extends Record> type) {
    return RecordBinder.unbindable(type);
  }

  /** No plugins installed: every {@code plugins:} entry is an unknown plugin. */
  PluginCatalog NONE = of(Map.of());

  /** The config record of plugin {@code name}, or empty when no such plugin is installed. */
  Optional<Class<? extends Record>> configType(String name);

  /** The names of all installed plugins (for "did you mean"). */
  Set<String> names();

  /** Whether plugin {@code name} blocks (runs {@code onRequest} on a virtual thread), which {@code max_concurrent} bounds. */
  default boolean isBlocking(String name) {
    return false;
  }

  /** A catalog of these plugins, none of which blocks. */
  static PluginCatalog of(Map<String, Class<? extends Record>> configTypes) {
    return of(configTypes, Set.of());
  }

  /** A catalog of these plugins; those named in {@code blocking} block. */
  static PluginCatalog of(Map<String, Class<? extends Record>> configTypes, Set<String> blocking) {
    Map<String, Class<? extends Record>> copy = Map.copyOf(configTypes);
    Set<String> blockingCopy = Set.copyOf(blocking);
    return new PluginCatalog() {
      @Override
      public boolean isBlocking(String name) {
        return blockingCopy.contains(name);
      }

      @Override
      public Optional<Class<? extends Record>> configType(String name) {
        return Optional.ofNullable(copy.get(name));
      }

      @Override
      public Set<String> names() {
        return copy.keySet();
      }
    };
  }
}
