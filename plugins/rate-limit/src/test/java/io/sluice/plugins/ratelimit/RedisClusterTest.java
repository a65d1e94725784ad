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

/** {@code redis: { cluster: [...] }}: the scripts run through Lettuce's cluster client, routed by their hash-tagged key. */
class RedisClusterTest {

  static RedisGateways all;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    all = RedisGateways.start(RedisServer.startCluster(), """
        redis: { cluster: [ "${REDIS}" ], command_timeout: 1s }
        routes:
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins:
              - rate_limit:
                  store: redis
                  instances: 5
                  limits:
                    - { algorithm: token_bucket, limit: 5, window: 1h, key: "header:x-user" }
                    - { algorithm: concurrency, limit: 10, key: global }
        """, 1);
    gateway = all.gateway(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (all != null) {
      all.close();
    }
  }

  @Test
  void limitsAreCountedInTheCluster() throws Exception {
    SharedRedis shared = SharedRedis.find(new RedisSettings(List.of(all.redis.uri()), true, Duration.ofSeconds(1)));
    Poll.until("connected to the cluster", shared::connected, () -> String.valueOf(shared.connectFailure()));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      statuses.add(gateway.send("GET", "/api/x", "x-user", "ann").statusCode());
    }

    // counted in Redis: the local fallback (5 / 5 instances) would allow one
    assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
    assertThat(all.redis.command("EXISTS", "sluice:rl:{api:1:token_bucket:ann}")).isEqualTo(":1");
    assertThat(gateway.send("GET", "/api/x", "x-user", "bob").statusCode()).isEqualTo(200);
  }
}
