package io.sluice.config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Runs YAML snippets through the loader; problems come back as the strings operators see. */
final class YamlSnippets {

  static final Function<String, String> NO_ENV = name -> null;

  /**
   * Six lines of server and upstreams ({@code users}, {@code orders}); routes written after it
   * start on line 7.
   */
  static final String HEADER = """
      server:
        listeners: [{ name: public, port: 8080 }]
      upstreams:
        users: { endpoints: ["http://127.0.0.1:9001"] }
        orders: { endpoints: ["http://127.0.0.1:9002"] }
      routes:
      """;

  private YamlSnippets() {}

  static GatewayConfig valid(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "sluice.yaml", NO_ENV);
  }

  static GatewayConfig valid(String yaml, PluginCatalog catalog) throws ConfigException {
    return ConfigLoader.parse(yaml, "sluice.yaml", NO_ENV, catalog);
  }

  static List<String> problems(String yaml) {
    return problems(yaml, NO_ENV, PluginCatalog.NONE);
  }

  static List<String> problems(String yaml, Map<String, String> env) {
    return problems(yaml, env::get, PluginCatalog.NONE);
  }

  static List<String> problems(String yaml, PluginCatalog catalog) {
    return problems(yaml, NO_ENV, catalog);
  }

  static List<String> problems(String yaml, Function<String, String> env, PluginCatalog catalog) {
    try {
      ConfigLoader.parse(yaml, "sluice.yaml", env, catalog);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, but this config is valid:\n" + yaml);
  }

  /** Problems of {@link #HEADER} followed by {@code routes}. */
  static List<String> routeProblems(String routes) {
    return problems(HEADER + routes);
  }
}
