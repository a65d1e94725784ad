package io.sluice.plugins.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.RouteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** config-examples/circuit-breaker.yaml and docs/plugins/circuit-breaker.md load with the real plugin; the guide lists every key. */
class CircuitBreakerDocsTest {

  private static final Path EXAMPLE = Path.of("..", "..", "config-examples", "circuit-breaker.yaml");
  private static final Path GUIDE = Path.of("..", "..", "docs", "plugins", "circuit-breaker.md");

  static CircuitBreakerConfig breaker(RouteConfig route) {
    return (CircuitBreakerConfig) route.plugins().stream().filter(use -> use.name().equals("circuit_breaker"))
        .findFirst().orElseThrow().config();
  }

  @Test
  void theConfigExampleLoads() throws Exception {
    GatewayConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), EXAMPLE.toString(), Map.<String, String>of()::get,
        CircuitBreakerConfigTest.CATALOG);

    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("users", "user-admin", "reports");
    assertThat(breaker(config.routes().get(1))).isEqualTo(breaker(config.routes().get(0)));
    assertThat(breaker(config.routes().get(2)).windowTime()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void theGuidesExampleLoads() throws Exception {
    String guide = Files.readString(GUIDE);
    int start = guide.indexOf("```yaml\n", guide.indexOf("## Example")) + "```yaml\n".length();
    String yaml = """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          users: { endpoints: [ "http://127.0.0.1:9001" ] }
        """ + guide.substring(start, guide.indexOf("```", start));

    GatewayConfig config = ConfigLoader.parse(yaml, GUIDE.toString(), Map.<String, String>of()::get, CircuitBreakerConfigTest.CATALOG);

    assertThat(breaker(config.routes().get(0)).slowCallRate()).isEqualTo(80);
    assertThat(breaker(config.routes().get(1)).scope()).isEqualTo(CircuitBreakerConfig.Scope.ROUTE);
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String guide = Files.readString(GUIDE);
    List<String> keys = Arrays.stream(CircuitBreakerConfig.class.getRecordComponents())
        .map(component -> component.getName().replaceAll("([A-Z])", "_$1").toLowerCase())
        .toList();

    assertThat(keys).hasSize(11).allSatisfy(key -> assertThat(guide).contains("| `" + key + "` |"));
  }
}
