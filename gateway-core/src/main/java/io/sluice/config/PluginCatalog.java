package io.sluice.config;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the config loader needs to know about the plugins that are installed: their names and
 * the records their YAML binds to. The gateway builds one from the plugin factories it found.
 */
public interface PluginCatalog {

  /** No plugins installed: every {@code plugins:} entry is an unknown plugin. */
  PluginCatalog NONE = of(Map.of());

  /** The config record of plugin {@code name}, or empty when no such plugin is installed. */
  Optional<Class<? extends Record>> configType(String name);

  /** The names of all installed plugins (for "did you mean"). */
  Set<String> names();

  /** A catalog of these plugins. */
  static PluginCatalog of(Map<String, Class<? extends Record>> configTypes) {
    Map<String, Class<? extends Record>> copy = Map.copyOf(configTypes);
    return new PluginCatalog() {
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
