package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.RedisSettings;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis killed under a running gateway, and started again: fail-open and fail-closed routes. */
class RedisFailureTest {

  static RedisGateways all;
  static RedisServer redis;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    all = RedisGateways.start(RedisServer.start(), """
        redis: { uri: "${REDIS}", command_timeout: 1s }
        routes:
          - id: open
            match: { path: /open/** }
            upstream: backend
            plugins:
              - rate_limit: { store: redis, instances: 2, algorithm: token_bucket, limit: 20, window: 1h, key: global }
          - id: closed
            match: { path: /closed/** }
            upstream: backend
            plugins:
              - rate_limit: { store: redis, failure_mode: closed, algorithm: token_bucket, limit: 1000, window: 1h, key: global }
        """, 1);
    redis = all.redis;
    gateway = all.gateway(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (all != null) {
      all.close();
    }
  }

  private static List<Integer> statuses(String path, int requests) throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      statuses.add(gateway.send("GET", path).statusCode());
    }
    return statuses;
  }

  private static long count(List<Integer> statuses, int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  /** A counter of the plugin's meters on {@code route} (with {@code decision} when given); 0 when not there. */
  private static double counted(String name, String route, String decision) {
    var search = gateway.server().meters().find(name).tag("route", route);
    var counter = (decision == null ? search : search.tag("decision", decision)).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void redisKilledMidRunFailsOpenWithTheLocalShareAndClosedWith503AndRecovers() throws Exception {
    SharedRedis shared = SharedRedis.find(new RedisSettings(List.of(redis.uri()), false, Duration.ofSeconds(1)));
    // connected first: a request before that is answered by the local fallback, which counts apart
    Poll.until("connected to Redis", shared::connected);
    List<Integer> before = statuses("/open/x", 25);
    assertThat(count(before, 200)).isEqualTo(20);
    assertThat(count(before, 429)).isEqualTo(5);
    assertThat(gateway.send("GET", "/closed/x").statusCode()).isEqualTo(200);
    long fallbacksBefore = shared.fallbacks();

    redis.kill();

    // fail open: never a 5xx, and this instance's share of the limit (20 / 2 instances) from a fresh local count
    List<Integer> during = statuses("/open/x", 30);
    assertThat(during).allMatch(status -> status == 200 || status == 429);
    assertThat(count(during, 200)).isEqualTo(10);
    assertThat(shared.fallbacks()).isGreaterThanOrEqualTo(fallbacksBefore + 30);
    assertThat(counted("sluice.plugin.rate_limit.redis_fallbacks", "open", null)).isEqualTo(30);
    // fail closed
    HttpResponse<String> refused = gateway.send("GET", "/closed/x");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.body()).startsWith(
        "{\"error\":{\"code\":\"RATE_LIMIT_UNAVAILABLE\",\"message\":\"Rate limiting is unavailable; retry later\"},\"request_id\":");
    assertThat(counted("sluice.plugin.rate_limit.decisions", "closed", "unavailable")).isEqualTo(1);

    redis.startAgain(); // empty, as after a crash without persistence
    long restarted = System.nanoTime();

    // the local share is used up, so a 200 can only come from Redis's fresh count
    List<Integer> recovering = new ArrayList<>();
    Poll.until("limits counted in Redis again", () -> {
      try {
        int status = gateway.send("GET", "/open/x").statusCode();
        recovering.add(status);
        return status == 200;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, Duration.ofSeconds(10));
    assertThat(RedisServer.elapsedSince(restarted)).isLessThan(Duration.ofSeconds(5));
    assertThat(recovering).allMatch(status -> status == 200 || status == 429);
    List<Integer> after = statuses("/open/x", 25);
    assertThat(count(after, 200)).isEqualTo(19); // the whole limit again, one of it taken by the poll's last request
    assertThat(count(after, 429)).isEqualTo(6);
    assertThat(gateway.send("GET", "/closed/x").statusCode()).isEqualTo(200);
  }
}
