package io.sluice.config;

import static io.sluice.config.YamlSnippets.problems;
import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.RedisSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top-level redis: section that plugins read through PluginContext.redis(). */
class RedisSectionTest {

  private static final String ROUTES = """
      server:
        listeners: [{ name: public, port: 8080 }]
      routes: []
      """;

  @Test
  void oneServerWithItsCommandTimeout() throws Exception {
    GatewayConfig config = valid(ROUTES + "redis: { uri: \"rediss://:secret@cache.internal:6380/0\", command_timeout: 20ms }\n");

    assertThat(config.redis()).isEqualTo(new RedisSettings(List.of("rediss://:secret@cache.internal:6380/0"), false, Duration.ofMillis(20)));
  }

  @Test
  void clusterSeedsAndTheDefaultTimeout() throws Exception {
    GatewayConfig config = valid(ROUTES + "redis: { cluster: [ \"redis://10.0.0.1:6379\", \"redis://10.0.0.2:6379\" ] }\n");

    assertThat(config.redis().cluster()).isTrue();
    assertThat(config.redis().uris()).containsExactly("redis://10.0.0.1:6379", "redis://10.0.0.2:6379");
    assertThat(config.redis().commandTimeout()).isEqualTo(RedisSettings.DEFAULT_COMMAND_TIMEOUT);
  }

  @Test
  void noSectionIsNoRedis() throws Exception {
    assertThat(valid(ROUTES).redis()).isNull();
  }

  @Test
  void mistakesAreReportedWhereTheyAre() {
    assertThat(problems(ROUTES + "redis: { url: \"redis://x:6379\" }\n")).containsExactly(
        "sluice.yaml:4:10 redis: unknown key 'url' (did you mean 'uri'?)");
    assertThat(problems(ROUTES + "redis: { uri: \"http://x:6379\" }\n")).containsExactly(
        "sluice.yaml:4:15 redis.uri: 'http://x:6379' (expected: a URI with the scheme redis, redis-sentinel, rediss, such as redis://127.0.0.1:6379)");
    assertThat(problems(ROUTES + "redis: { command_timeout: 0s }\n")).containsExactly(
        "sluice.yaml:4:8 redis: missing uri (expected: uri: redis://host:6379, or cluster: [redis://host:6379, ...])",
        "sluice.yaml:4:27 redis.command_timeout: '0s' (expected: a duration greater than 0, such as 10s)");
    assertThat(problems(ROUTES + "redis: { cluster: [ \"redis-sentinel://x:26379\" ] }\n")).hasSize(1).first().asString()
        .startsWith("sluice.yaml:4:21 redis.cluster[0]: 'redis-sentinel://x:26379' (expected: a URI with the scheme redis, rediss");
    assertThat(problems(ROUTES + "redis: { uri: \"redis://u:hunter2@\" }\n")).hasSize(1).first().asString()
        .doesNotContain("hunter2");
  }
}
