package io.sluice.plugins.jwt;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginCatalog;
import io.sluice.plugin.PluginRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The jwt plugin's config as the gateway binds it from YAML, for tests. */
final class JwtConfigs {

  static final PluginCatalog CATALOG = PluginRegistry.discover(List.of()).catalog();

  private JwtConfigs() {}

  /** Binds {@code jwtYaml} (the mapping under {@code jwt:}, block style) with {@code ${NAME}} from {@code env}. */
  static JwtConfig parse(String jwtYaml, Map<String, String> env) throws ConfigException {
    GatewayConfig config = ConfigLoader.parse(document(jwtYaml), "test.yaml", env::get, CATALOG);
    return (JwtConfig) config.plugins().get(0).config();
  }

  static JwtConfig parse(String jwtYaml) throws ConfigException {
    return parse(jwtYaml, Map.of());
  }

  /** The problems reported for {@code jwtYaml}, one message per line. */
  static String problems(String jwtYaml) {
    try {
      parse(jwtYaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }
    throw new AssertionError("expected problems, but the config was accepted");
  }

  private static String document(String jwtYaml) {
    String indented = jwtYaml.stripIndent().lines().map(line -> "      " + line).collect(Collectors.joining("\n"));
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        plugins:
          - jwt:
        %s
        routes:
          - id: r
            match: { path: /** }
            respond: { status: 200 }
        """.formatted(indented);
  }
}
