package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginCatalog;
import io.sluice.plugin.PluginChains;
import io.sluice.plugin.PluginRegistry;
import io.sluice.plugins.ratelimit.RateLimitConfig.Algorithm;
import io.sluice.spi.Exchange;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The YAML as operators write it, its mistakes, and counters kept across a reload through the factory. */
class RateLimitConfigTest {

  static final PluginCatalog CATALOG = PluginRegistry.discover(List.of()).catalog();

  static GatewayConfig parse(String pluginYaml) throws ConfigException {
    return parse("", pluginYaml);
  }

  /** A route whose plugins are {@code pluginYaml}, in a config that also has the top-level {@code sections}. */
  static GatewayConfig parse(String sections, String pluginYaml) throws ConfigException {
    String yaml = sections + """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          api: { endpoints: [ "http://127.0.0.1:9001" ] }
        routes:
          - id: api
            match: { path: /** }
            upstream: api
            plugins:
        """ + pluginYaml.stripIndent().lines().map(line -> "      " + line).collect(Collectors.joining("\n")) + "\n";
    return ConfigLoader.parse(yaml, "sluice.yaml", Map.<String, String>of()::get, CATALOG);
  }

  static RateLimitConfig config(String pluginYaml) throws ConfigException {
    return (RateLimitConfig) parse(pluginYaml).routes().get(0).plugins().get(0).config();
  }

  static String problems(String pluginYaml) {
    try {
      parse(pluginYaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }
    throw new AssertionError("expected problems");
  }

  @Test
  void aFlatLimitIsOneLimitAndAKeyMayBeOneWordOrAList() throws Exception {
    RateLimitConfig flat = config("- rate_limit: { algorithm: sliding_window, limit: 100, window: 1m, key: client_ip }");
    RateLimitConfig composite = config("- rate_limit: { algorithm: fixed_window, limit: 5, window: 1s, key: [ \"claim:tenant\", route ] }");

    assertThat(flat.limits()).hasSize(1);
    assertThat(flat.limits().get(0).algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
    assertThat(flat.limits().get(0).window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(flat.limits().get(0).key()).containsExactly("client_ip");
    assertThat(composite.limits().get(0).key()).containsExactly("claim:tenant", "route");
    assertThat(flat.store()).isEqualTo(RateLimitConfig.Store.LOCAL);
    assertThat(flat.headers()).isTrue();
  }

  @Test
  void mistakesNameTheKeyAndWhatIsExpected() {
    assertThat(problems("- rate_limit: { algorithm: token_bucket, limit: 0, window: 1s }")).isEqualTo(
        "sluice.yaml:10:21 routes[0].plugins[0].rate_limit: limit: 0 (expected: a whole number of requests, at least 1)");
    assertThat(problems("- rate_limit: { algorithm: tokenbucket, limit: 1, window: 1s }")).contains(
        "rate_limit.algorithm: 'tokenbucket' (did you mean 'token_bucket'? expected one of:");
    assertThat(problems("- rate_limit: { algorithm: fixed_window, limit: 1, window: 1s, key: ip }")).endsWith(
        "key: 'ip' (expected: client_ip, consumer, route, global, header:NAME or claim:NAME, or a list of these)");
    assertThat(problems("- rate_limit: { algorithm: token_bucket, limit: 1, window: 1s, on_limit: delay, max_delay: 1s }"))
        .endsWith("on_limit: delay only works with algorithm: leaky_bucket");
    assertThat(problems("- rate_limit: { algorithm: concurrency, limit: 1, window: 1s }"))
        .endsWith("window: concurrency counts requests in flight and has no window");
    assertThat(problems("- rate_limit: { algorithm: fixed_window, limit: 1, window: 1s, limits: [ { algorithm: concurrency, limit: 1 } ] }"))
        .endsWith("both a flat limit (algorithm, limit, ...) and limits are set (expected: one limit written flat, or several under limits)");
    assertThat(problems("- rate_limit: { limits: [ { algorithm: fixed_window, limit: 1, window: 1s, burst: 3 } ] }"))
        .contains("rate_limit.limits[0]: burst: only token_bucket and leaky_bucket have a burst");
    assertThat(problems("- rate_limit: { algorithm: fixed_window, limit: 1, window: 1s, failure_mode: closed }"))
        .endsWith("failure_mode: only applies with store: redis");
    assertThat(problems("- rate_limit: { algorithm: fixed_window, limit: 1, windw: 1s }"))
        .contains("unknown key 'windw' (did you mean 'window'?)");
  }

  @Test
  void theRedisStoreNeedsTheRedisSectionAndValidatingNeverConnects() throws Exception {
    String entry = "- rate_limit: { store: redis, algorithm: token_bucket, limit: 10, window: 1s, key: global }";
    GatewayConfig withoutRedis = parse(entry);
    assertThatThrownBy(() -> PluginChains.compileForValidation(withoutRedis, PluginRegistry.discover(List.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.yaml:10:9 routes[0].plugins[0]: plugin 'rate_limit' (built-in) could not be created:"
            + " store: redis needs the top-level redis: section");
    assertThat(problems("- rate_limit: { algorithm: fixed_window, limit: 1, window: 1s, instances: 2 }"))
        .endsWith("instances: only applies with store: redis (it divides the limits while Redis fails)");

    // nothing listens there: validating must not even try
    GatewayConfig withRedis = parse("redis: { uri: \"redis://127.0.0.1:1\", command_timeout: 20ms }\n", entry);
    PluginChains.compileForValidation(withRedis, PluginRegistry.discover(List.of()));

    assertThat(SharedRedis.find(withRedis.redis())).isNull();
  }

  @Test
  void aReloadWithTheSameConfigKeepsCountingWhereTheOldInstanceLeftOff() throws Exception {
    RateLimitConfig config = config("- rate_limit: { algorithm: fixed_window, limit: 2, window: 1h, key: global }");
    RateLimitConfig other = config("- rate_limit: { algorithm: fixed_window, limit: 3, window: 1h, key: global }");
    RateLimitPluginFactory factory = new RateLimitPluginFactory();
    FakeTicker clock = new FakeTicker();

    RateLimitPlugin first = (RateLimitPlugin) factory.create(config, context(clock, null));
    first.limits.policies.get(0).acquire("", clock.nanoTime());
    first.limits.policies.get(0).acquire("", clock.nanoTime());
    RateLimitPlugin same = (RateLimitPlugin) factory.create(config, context(clock, first));
    RateLimitPlugin changed = (RateLimitPlugin) factory.create(other, context(clock, first));

    assertThat(Verdict.isAllowed(same.limits.policies.get(0).acquire("", clock.nanoTime()))).isFalse();
    assertThat(Verdict.isAllowed(changed.limits.policies.get(0).acquire("", clock.nanoTime()))).isTrue();
  }

  private static PluginContext context(Ticker ticker, Plugin previous) {
    return new PluginContext() {
      public String routeId() {
        return "api";
      }

      public Ticker ticker() {
        return ticker;
      }

      public Optional<Plugin> previous() {
        return Optional.ofNullable(previous);
      }

      public System.Logger logger() {
        return System.getLogger("test");
      }
    };
  }
}
