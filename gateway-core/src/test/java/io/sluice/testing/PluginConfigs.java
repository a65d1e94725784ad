package io.sluice.testing;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ConfigProblem;
import io.sluice.config.PluginCatalog;
import java.util.List;
import java.util.Map;

/**
 * One plugin's config entry run through the real loader, for a plugin module's config tests: the
 * record it binds to, or the problems an operator would see. The entry is the only item of the
 * global {@code plugins:} list, on line 5 after {@code "  - NAME: "}.
 *
 * {@snippet :
 * PluginConfigs configs = PluginConfigs.of("rbac", RbacConfig.class, Map.of());
 * configs.problems("{ default: maybe }"); // ["sluice.yaml:5:11 plugins[0].rbac.default: ..."]
 * }
 *
 * @param name the plugin's name
 * @param type its config record
 * @param env the environment {@code ${NAME}} is substituted from
 */
public record PluginConfigs(String name, Class<? extends Record> type, Map<String, String> env) {

  public static PluginConfigs of(String name, Class<? extends Record> type, Map<String, String> env) {
    return new PluginConfigs(name, type, Map.copyOf(env));
  }

  /** A whole config with {@code entry} (a flow mapping, or text that continues on the next lines) as the plugin's config. */
  public String yaml(String entry) {
    return """
        server:
          listeners: [{ name: public, port: 8080 }]
        routes: []
        plugins:
          - %s: %s
        """.formatted(name, entry);
  }

  /** The record {@code entry} binds to. */
  @SuppressWarnings("unchecked")
  public <C extends Record> C bind(String entry) throws ConfigException {
    return (C) ConfigLoader.parse(yaml(entry), "sluice.yaml", env::get, catalog()).plugins().get(0).config();
  }

  /** The problems with {@code entry}, as operators see them ({@code sluice.yaml:5:14 plugins[0].NAME: ...}). */
  public List<String> problems(String entry) {
    try {
      ConfigLoader.parse(yaml(entry), "sluice.yaml", env::get, catalog());
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, but this config is valid:\n" + yaml(entry));
  }

  private PluginCatalog catalog() {
    return PluginCatalog.of(Map.of(name, type));
  }
}
