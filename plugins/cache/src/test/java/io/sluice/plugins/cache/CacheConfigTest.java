package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.codec.ByteArrayCodec;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginCatalog;
import io.sluice.config.RouteConfig;
import io.sluice.plugin.PluginChains;
import io.sluice.plugin.PluginRegistry;
import io.sluice.plugins.redis.RedisConnection;
import io.sluice.spi.RedisSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an operator may write, the defaults, and the errors for what is wrong, with their position. */
class CacheConfigTest {

  static final PluginCatalog CATALOG = PluginRegistry.discover(List.of()).catalog();

  static GatewayConfig parse(String cacheYaml) throws ConfigException {
    return parse("", cacheYaml);
  }

  /** {@code sections} (such as {@code redis:}) go before the rest, so the entry keeps its line either way. */
  static GatewayConfig parse(String sections, String cacheYaml) throws ConfigException {
    String yaml = sections + """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          users: { endpoints: [ "http://127.0.0.1:9001" ] }
        routes:
          - id: users
            match: { path: /api/** }
            upstream: users
            plugins:
              - cache: %s
        """.formatted(cacheYaml);
    return ConfigLoader.parse(yaml, "sluice.yaml", Map.<String, String>of()::get, CATALOG);
  }

  static CacheConfig cache(RouteConfig route) {
    return (CacheConfig) route.plugins().stream().filter(use -> use.name().equals("cache")).findFirst().orElseThrow().config();
  }

  @Test
  void anEmptyEntryHasTheDefaults() throws Exception {
    CacheConfig config = cache(parse("{}").routes().get(0));

    assertThat(config.maxByteCount()).isEqualTo(256L << 20);
    assertThat(config.maxObjectByteCount()).isEqualTo(8 << 20);
    assertThat(config.defaultTtlSeconds()).isEqualTo(-1);
    assertThat(config.store()).isEqualTo(CacheConfig.Store.LOCAL);
    assertThat(config.coalesceWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.key().query().include()).isEmpty();
    assertThat(config.key().headers()).isEmpty();
  }

  @Test
  void everyKeyIsRead() throws Exception {
    CacheConfig config = cache(parse("""
        { max_bytes: 64MiB, max_object_bytes: 512KiB, default_ttl: 5m, store: local, coalesce_wait: 2s,
                       key: { query: { include: [page, size] }, headers: [Accept-Language] } }""").routes().get(0));

    assertThat(config.maxByteCount()).isEqualTo(64L << 20);
    assertThat(config.maxObjectByteCount()).isEqualTo(512 << 10);
    assertThat(config.defaultTtlSeconds()).isEqualTo(300);
    assertThat(config.coalesceWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.key().query().include()).containsExactly("page", "size");
    assertThat(config.key().headers()).containsExactly("accept-language");
  }

  @Test
  void mistakesAreReportedAtTheEntryWithWhatIsExpected() {
    assertThatThrownBy(() -> parse("{ max_bytes: lots }"))
        .hasMessageContaining("sluice.yaml:10:16 routes[0].plugins[0].cache:")
        .hasMessageContaining("max_bytes: 'lots' (expected: a size such as 64KiB, 8MiB or 1GiB)");
    assertThatThrownBy(() -> parse("{ max_bytes: 1MiB, max_object_bytes: 2MiB }"))
        .hasMessageContaining("max_object_bytes: 2MiB (expected: 1 byte up to max_bytes, 1MiB)");
    assertThatThrownBy(() -> parse("{ default_ttl: forever }"))
        .hasMessageContaining("default_ttl: 'forever' (expected: none, or a duration such as 30s, 5m, 2h or 1d)");
    assertThatThrownBy(() -> parse("{ key: { query: { include: [a], exclude: [b] } } }"))
        .hasMessageContaining("key.query: both include and exclude are set (expected: one of them)");
    assertThatThrownBy(() -> parse("{ key: { headers: [\"accept language\"] } }"))
        .hasMessageContaining("key.headers: 'accept language' is not a header name");
    assertThatThrownBy(() -> parse("{ max_byte: 1MiB }")).hasMessageContaining("max_byte").hasMessageContaining("max_bytes");
  }

  @Test
  void theRedisStoreNeedsTheRedisSectionAndValidatingNeverConnects() throws Exception {
    GatewayConfig withoutRedis = parse("{ store: redis }");
    assertThat(cache(withoutRedis.routes().get(0)).store()).isEqualTo(CacheConfig.Store.REDIS);
    assertThatThrownBy(() -> PluginChains.compileForValidation(withoutRedis, PluginRegistry.discover(List.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.yaml:10:9 routes[0].plugins[0]: plugin 'cache' (built-in) could not be created:"
            + " store: redis needs the top-level redis: section (expected: redis: { uri: \"redis://host:6379\" } in the"
            + " config, or store: local)");

    // nothing listens there: validating must not even try
    GatewayConfig withRedis = parse("redis: { uri: \"redis://127.0.0.1:1\", command_timeout: 20ms }\n", "{ store: redis }");
    PluginChains.compileForValidation(withRedis, PluginRegistry.discover(List.of()));

    assertThat(withRedis.redis()).isEqualTo(new RedisSettings(List.of("redis://127.0.0.1:1"), false, Duration.ofMillis(20)));
    assertThat(RedisConnection.find(withRedis.redis(), ByteArrayCodec.INSTANCE)).isNull();
  }
}
