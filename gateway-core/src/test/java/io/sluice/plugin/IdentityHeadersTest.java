package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ConfigProblem;
import io.sluice.config.GatewayConfig;
import io.sluice.proxy.GatewaySnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The identity headers plugins declare, gathered from every entry of a config, and the names they may not claim. */
class IdentityHeadersTest {

  private static final PluginRegistry PLUGINS = PluginRegistry.discover(List.of());

  private static GatewayConfig config(String plugins, String routePlugins) throws ConfigException {
    return ConfigLoader.parse("""
        server:
          listeners: [ { name: test, port: 0 } ]
          strip_request_headers: [x-tenant]
        plugins:
        %s
        routes:
          - id: a
            match: { path: /a }
            respond: { status: 200 }
            plugins:
        %s
          - id: b
            match: { path: /b }
            respond: { status: 200 }
        """.formatted(plugins, routePlugins), "sluice.yaml", Map.<String, String>of()::get, PLUGINS.catalog());
  }

  @Test
  void everyEntryCountsGlobalOrPerRouteEnabledOrNot() throws Exception {
    GatewayConfig config = config("""
          - test_identity: { header: X-User-Id, value: alice }
        """, """
              - test_identity: { enabled: false }
              - test_header: { request: { x-a: "1" } }
          - id: c
            match: { path: /c }
            respond: { status: 200 }
            plugins:
              - test_identity: { header: x-consumer, value: svc, enabled: false }
        """);

    PluginChains chains = PluginChains.compileForValidation(config, PLUGINS);

    assertThat(chains.identityHeaders()).containsExactly("x-user-id", "x-consumer");
    GatewaySnapshot snapshot = GatewaySnapshot.compile(config, PLUGINS, new SimpleMeterRegistry());
    assertThat(snapshot.strippedRequestHeaders()).extracting(CharSequence::toString)
        .containsExactly("x-tenant", "x-user-id", "x-consumer");
    chains.close();
    snapshot.plugins().close();
  }

  @Test
  void aPluginCannotClaimHeadersTheGatewayManages() throws Exception {
    GatewayConfig config = config("""
          - test_identity: { header: Host, value: a }
        """, """
              - test_identity: { header: x-request-id, value: b }
        """);

    ConfigException refused = catchThrowableOfType(ConfigException.class, () -> PluginChains.compileForValidation(config, PLUGINS));

    assertThat(refused.problems()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
        "sluice.yaml:5:5 plugins[0]: plugin 'test_identity' declares 'host' as an identity header, but the gateway manages"
            + " that header itself (expected: a header of the plugin's own, such as x-user-id)",
        "sluice.yaml:12:9 routes[0].plugins[0]: plugin 'test_identity' declares 'x-request-id' as an identity header, but the"
            + " gateway manages that header itself (expected: a header of the plugin's own, such as x-user-id)");
  }

  @Test
  void aDeclaredNameMustBeAHeaderName() throws Exception {
    GatewayConfig config = config("""
          - test_identity: { header: "x user", value: a }
        """, """
              - test_header: { request: { x-a: "1" } }
        """);

    ConfigException refused = catchThrowableOfType(ConfigException.class, () -> PluginChains.compileForValidation(config, PLUGINS));

    assertThat(refused.problems()).extracting(ConfigProblem::toString).containsExactly(
        "sluice.yaml:5:5 plugins[0]: plugin 'test_identity' declares the identity header 'x user', which is not a header name");
  }
}
