package io.sluice.plugins.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginCatalog;
import io.sluice.plugin.PluginRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an operator may write, the defaults, and the errors for what is wrong, with their position. */
class CircuitBreakerConfigTest {

  static final PluginCatalog CATALOG = PluginRegistry.discover(List.of()).catalog();

  static GatewayConfig parse(String breakerYaml) throws ConfigException {
    String yaml = """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          users: { endpoints: [ "http://127.0.0.1:9001" ] }
        routes:
          - id: users
            match: { path: /api/** }
            upstream: users
            plugins:
              - circuit_breaker: %s
        """.formatted(breakerYaml);
    return ConfigLoader.parse(yaml, "sluice.yaml", Map.<String, String>of()::get, CATALOG);
  }

  @Test
  void anEmptyEntryHasTheDefaults() throws Exception {
    CircuitBreakerConfig config = CircuitBreakerDocsTest.breaker(parse("{}").routes().get(0));

    assertThat(config).isEqualTo(new CircuitBreakerConfig(CircuitBreakerConfig.Scope.UPSTREAM, 100, null, 20, 50, null, null,
        null, List.of(502, 503, 504), Duration.ofSeconds(30), 3));
  }

  @Test
  void mistakesAreReportedAtTheEntryWithWhatIsExpected() {
    assertThatThrownBy(() -> parse("{ window_calls: 10, window_time: 10s }"))
        .hasMessageContaining("sluice.yaml:10:26 routes[0].plugins[0].circuit_breaker:")
        .hasMessageContaining("both window_calls and window_time are set");
    assertThatThrownBy(() -> parse("{ window_calls: 10, minimum_calls: 11 }"))
        .hasMessageContaining("minimum_calls: 11 (expected: at least 1 and at most window_calls, 10)");
    assertThatThrownBy(() -> parse("{ failure_rate: 0 }")).hasMessageContaining("failure_rate: 0 (expected: a percentage, 1..100)");
    assertThatThrownBy(() -> parse("{ slow_call_rate: 50 }"))
        .hasMessageContaining("slow_call_duration: missing (expected: with slow_call_rate");
    assertThatThrownBy(() -> parse("{ slow_call_duration: 1s }"))
        .hasMessageContaining("slow_call_duration: only applies with slow_call_rate");
    assertThatThrownBy(() -> parse("{ failure_statuses: [502, 99] }"))
        .hasMessageContaining("failure_statuses: 99 (expected: HTTP statuses 100..599)");
    assertThatThrownBy(() -> parse("{ window_time: 500ms }")).hasMessageContaining("window_time: 500ms (expected: at least 1s)");
    assertThatThrownBy(() -> parse("{ scope: everything }")).hasMessageContaining("scope");
    assertThatThrownBy(() -> parse("{ half_open_calls: 0 }")).hasMessageContaining("half_open_calls: 0 (expected: 1..1000)");
  }
}
