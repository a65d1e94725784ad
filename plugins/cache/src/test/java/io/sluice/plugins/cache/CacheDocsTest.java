package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.RouteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** config-examples/cache.yaml, cache-redis.yaml and docs/plugins/cache.md load with the real plugin; the guide lists every key. */
class CacheDocsTest {

  private static final Path EXAMPLE = Path.of("..", "..", "config-examples", "cache.yaml");
  private static final Path REDIS_EXAMPLE = Path.of("..", "..", "config-examples", "cache-redis.yaml");
  private static final Path GUIDE = Path.of("..", "..", "docs", "plugins", "cache.md");
  private static final Path BENCHMARK = Path.of("..", "..", "benchmarks", "e2e", "cache-hit.yaml");

  @Test
  void theConfigExampleLoads() throws Exception {
    GatewayConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), EXAMPLE.toString(), Map.<String, String>of()::get,
        CacheConfigTest.CATALOG);

    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("catalog", "docs", "health");
    CacheConfig docs = CacheConfigTest.cache(config.routes().get(1));
    assertThat(docs.defaultTtlSeconds()).isEqualTo(600);
    assertThat(docs.key().query().include()).containsExactly("version");
  }

  @Test
  void theRedisExampleLoads() throws Exception {
    GatewayConfig config = ConfigLoader.parse(Files.readString(REDIS_EXAMPLE), REDIS_EXAMPLE.toString(),
        Map.<String, String>of()::get, CacheConfigTest.CATALOG);

    assertThat(config.redis().uris()).containsExactly("redis://127.0.0.1:6379");
    CacheConfig catalog = CacheConfigTest.cache(config.routes().get(0));
    assertThat(catalog.store()).isEqualTo(CacheConfig.Store.REDIS);
    assertThat(catalog.maxObjectByteCount()).isEqualTo(1 << 20);
    assertThat(catalog.key().headers()).containsExactly("accept-language");
  }

  @Test
  void theGuidesExampleAndTheBenchmarkFragmentLoad() throws Exception {
    String guide = Files.readString(GUIDE);
    int start = guide.indexOf("```yaml\n", guide.indexOf("## Example")) + "```yaml\n".length();
    String header = """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          catalog: { endpoints: [ "http://127.0.0.1:9001" ] }
        """;

    GatewayConfig config = ConfigLoader.parse(header + guide.substring(start, guide.indexOf("```", start)), GUIDE.toString(),
        Map.<String, String>of()::get, CacheConfigTest.CATALOG);
    GatewayConfig bench = ConfigLoader.parse(header + """
        routes:
          - id: all
            match: { path: /** }
            upstream: catalog
        """ + Files.readString(BENCHMARK), BENCHMARK.toString(), Map.<String, String>of()::get, CacheConfigTest.CATALOG);

    assertThat(CacheConfigTest.cache(config.routes().get(0)).key().headers()).containsExactly("accept-language");
    // the benchmark's upstream says how long answers stay fresh (--upstream-cache-control): no default TTL
    assertThat(CacheConfigTest.cache(bench.routes().get(0)).defaultTtlSeconds()).isEqualTo(-1);
    assertThat(CacheConfigTest.cache(bench.routes().get(0)).maxBytes()).isEqualTo("64MiB");
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String guide = Files.readString(GUIDE);
    List<String> keys = Arrays.stream(CacheConfig.class.getRecordComponents())
        .map(component -> component.getName().replaceAll("([A-Z])", "_$1").toLowerCase())
        .toList();

    assertThat(keys).hasSize(6).allSatisfy(key -> assertThat(guide).contains("| `" + key + "` |"));
    assertThat(guide).contains("| `key.query.include` |", "| `key.query.exclude` |", "| `key.headers` |");
  }
}
