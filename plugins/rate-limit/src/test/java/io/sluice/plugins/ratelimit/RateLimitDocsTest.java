package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.RouteConfig;
import io.sluice.plugin.PluginChains;
import io.sluice.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** config-examples/rate-limit.yaml and docs/plugins/rate-limit.md load with the real plugin, and the guide lists every key. */
class RateLimitDocsTest {

  private static final Path EXAMPLE = Path.of("..", "..", "config-examples", "rate-limit.yaml");
  private static final Path GUIDE = Path.of("..", "..", "docs", "plugins", "rate-limit.md");

  private static RateLimitConfig rateLimit(RouteConfig route) {
    return (RateLimitConfig) route.plugins().stream().filter(use -> use.name().equals("rate_limit")).findFirst().orElseThrow().config();
  }

  @Test
  void theConfigExampleLoadsWithPerUserTenantEndpointAndGlobalLimits() throws Exception {
    GatewayConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), EXAMPLE.toString(), Map.<String, String>of()::get,
        RateLimitConfigTest.CATALOG);

    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("orders", "search", "public");
    assertThat(rateLimit(config.routes().get(0)).limits()).extracting(limit -> limit.key().get(0))
        .containsExactly("claim:sub", "claim:tenant", "global", "consumer", "client_ip");
    assertThat(rateLimit(config.routes().get(1)).limits().get(0).key()).containsExactly("claim:tenant", "route");
  }

  @Test
  void theRedisExampleValidatesWithoutConnecting() throws Exception {
    Path example = Path.of("..", "..", "config-examples", "rate-limit-redis.yaml");
    // nothing listens on port 1: validation must neither connect nor fail for it
    GatewayConfig config = ConfigLoader.parse(Files.readString(example), example.toString(),
        Map.of("REDIS_URI", "redis://127.0.0.1:1")::get, RateLimitConfigTest.CATALOG);

    PluginChains.compileForValidation(config, PluginRegistry.discover(List.of()));

    assertThat(SharedRedis.find(config.redis())).isNull();
    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("orders", "payments", "catalog");
    assertThat(rateLimit(config.routes().get(0)).store()).isEqualTo(RateLimitConfig.Store.REDIS);
    assertThat(rateLimit(config.routes().get(0)).limits()).extracting(limit -> limit.key().get(0))
        .containsExactly("global", "claim:sub", "claim:tenant", "consumer");
    assertThat(rateLimit(config.routes().get(1)).failureMode()).isEqualTo(RateLimitConfig.FailureMode.CLOSED);
    assertThat(config.plugins()).singleElement().satisfies(use -> assertThat(((RateLimitConfig) use.config()).limits().get(0).key())
        .containsExactly("global"));
  }

  @Test
  void theGuidesExampleLoads() throws Exception {
    String guide = Files.readString(GUIDE);
    int section = guide.indexOf("## Example");
    int start = guide.indexOf("```yaml\n", section) + "```yaml\n".length();
    String routes = guide.substring(start, guide.indexOf("```", start));
    String yaml = """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          users: { endpoints: [ "http://127.0.0.1:9001" ] }
        """ + routes;

    GatewayConfig config = ConfigLoader.parse(yaml, "docs/plugins/rate-limit.md", Map.<String, String>of()::get, RateLimitConfigTest.CATALOG);

    assertThat(rateLimit(config.routes().get(0)).limits()).hasSize(5);
    assertThat(rateLimit(config.routes().get(1)).limits().get(0).key()).containsExactly("claim:tenant", "header:x-app");
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String guide = Files.readString(GUIDE);
    List<String> keys = Stream.of(RateLimitConfig.class, RateLimitConfig.Limit.class)
        .flatMap(type -> Arrays.stream(type.getRecordComponents()))
        .map(component -> component.getName().replaceAll("([A-Z])", "_$1").toLowerCase())
        .distinct()
        .toList();

    assertThat(keys).hasSize(13).allSatisfy(key -> assertThat(guide).contains("| `" + key + "` |"));
  }
}
