package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.RedisSettings;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code redis: { uri: "redis-sentinel://..." }}: the master is found through a real Sentinel. */
class RedisSentinelTest {

  static RedisServer sentinel;
  static RedisGateways all;
  static Gateway gateway;
  static String uri;

  @BeforeAll
  static void start() throws Exception {
    RedisServer master = RedisServer.start();
    try {
      sentinel = RedisServer.startSentinel(master);
    } catch (Exception | Error e) {
      master.close();
      throw e;
    }
    uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "#mymaster";
    all = RedisGateways.start(master, """
        redis: { uri: "%s", command_timeout: 1s }
        routes:
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins:
              - rate_limit: { store: redis, instances: 3, algorithm: fixed_window, limit: 3, window: 1h, key: "header:x-user" }
        """.formatted(uri), 1);
    gateway = all.gateway(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (all != null) {
      all.close();
    }
    if (sentinel != null) {
      sentinel.close();
    }
  }

  @Test
  void limitsAreCountedInTheMasterTheSentinelNames() throws Exception {
    SharedRedis shared = SharedRedis.find(new RedisSettings(List.of(uri), false, Duration.ofSeconds(1)));
    Poll.until("connected through the sentinel", shared::connected, () -> String.valueOf(shared.connectFailure()));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(gateway.send("GET", "/api/x", "x-user", "ann").statusCode());
    }

    // counted in the master: the local fallback (3 / 3 instances) would allow one
    assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    assertThat(all.redis.command("HGET", "sluice:rl:{api:1:fixed_window:ann}", "c")).isEqualTo("3");
  }
}
