package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.cache.ScriptedUpstream.Reply;
import io.sluice.spi.RedisSettings;
import io.sluice.testing.LogCapture;
import io.sluice.testing.Poll;
import io.sluice.testing.RecordingLogger;
import io.sluice.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Redis killed under running gateways and started again; Redis not there at all. */
class CacheRedisFailureTest {

  @Test
  void redisKilledMidRunLeavesTheLocalTierAndTheUpstreamAndIsUsedAgainAfterARestart() throws Exception {
    try (SharedCache shared = SharedCache.start(2, Duration.ofMillis(200));
        LogCapture log = LogCapture.start()) {
      ScriptedUpstream upstream = shared.upstream;
      AtomicInteger paths = new AtomicInteger();
      upstream.on("/r/before", (request, n) -> Reply.of(200, "before " + n, "Cache-Control", "max-age=100"));
      shared.get(0, "/r/before");
      shared.awaitInRedis("/r/before");

      shared.redis.kill();

      List<HttpResponse<String>> during = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        during.add(shared.get(0, "/r/before")); // the local tier
        String path = cacheable(upstream, "/r/during/" + paths.getAndIncrement());
        during.add(shared.get(1, path)); // a miss everywhere: the upstream, then stored locally
        during.add(shared.get(1, path));
      }
      HttpResponse<String> otherInstance = shared.get(1, "/r/before"); // not in its local tier: the upstream

      assertThat(during).extracting(HttpResponse::statusCode).containsOnly(200);
      assertThat(during.get(0).body()).isEqualTo("before 1");
      assertThat(during.get(2).headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s).startsWith("sluice; hit"));
      assertThat(otherInstance.statusCode()).isEqualTo(200);
      assertThat(otherInstance.body()).isEqualTo("before 2");
      assertThat(upstream.count("/r/during/0")).isEqualTo(1);
      assertThat(shared.redisLookups(1, "unavailable")).isGreaterThanOrEqualTo(20);
      // at most one warning per cache instance per 10 s, however many commands failed
      assertThat(log.containing("Redis for cached responses on route 'r' is unavailable")).hasSizeBetween(1, 2);

      shared.redis.startAgain(); // empty, as after a crash without persistence
      long restarted = System.nanoTime();
      // what one instance stores from now on is written to Redis again, and the other finds it there
      // (each within a second or so: Lettuce reconnects, and a paused instance tries again)
      List<String> cacheStatuses = new ArrayList<>();
      Poll.until("one instance's responses served by the other through Redis again", () -> {
        String path = cacheable(upstream, "/r/after/" + paths.getAndIncrement());
        try {
          assertThat(shared.get(0, path).statusCode()).isEqualTo(200);
          if (!shared.inRedis(path)) {
            return false;
          }
          HttpResponse<String> other = shared.get(1, path);
          assertThat(other.statusCode()).isEqualTo(200);
          cacheStatuses.add(other.headers().firstValue("cache-status").orElseThrow());
          return other.body().equals(path + " 1");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, Duration.ofSeconds(10));
      assertThat(RedisServer.elapsedSince(restarted)).isLessThan(Duration.ofSeconds(5));
      assertThat(cacheStatuses.getLast()).endsWith("detail=redis");
    }
  }

  /** Scripts {@code path} to answer with a response fresh for 100 s. */
  private static String cacheable(ScriptedUpstream upstream, String path) {
    upstream.on(path, (request, n) -> Reply.of(200, path + " " + n, "Cache-Control", "max-age=100"));
    return path;
  }

  @Test
  void aRedisFailingCommandsIsLeftAloneThenProbedByOneCommandAndUsedAgainWhenTheProbeIsAnswered() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000_000L);
    try (RedisServer redis = RedisServer.start()) {
      RedisTier tier = new RedisTier(new RedisSettings(List.of(redis.uri()), false, Duration.ofSeconds(2)), "r", now::get,
          new RecordingLogger());
      try {
        Poll.until("connected to Redis", tier::available);
        // a target whose key is not a hash: every lookup of it fails (WRONGTYPE) at once
        assertThat(redis.command("SET", RedisTier.KEY_PREFIX + "http://x/broken", "not a hash")).isEqualTo("+OK");
        for (int i = 0; i < 5; i++) {
          assertThat(tier.variants(null, "http://x/broken").join()).isNull();
        }

        assertThat(tier.available()).isFalse();
        assertThat(tier.variants(null, "http://x/fine")).isCompletedWithValue(null); // not even asked
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(tier.available()).isFalse();
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(tier.available()).isTrue();
        assertThat(tier.available()).isTrue(); // asking does not use up the probe

        assertThat(tier.variants(null, "http://x/broken").join()).isNull(); // the probe, failed
        assertThat(tier.available()).isFalse(); // at once: another second alone, not five more failures

        assertThat(redis.command("DEL", RedisTier.KEY_PREFIX + "http://x/broken")).isEqualTo(":1");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tier.variants(null, "http://x/broken").join()).isEmpty(); // the probe, answered
        assertThat(tier.available()).isTrue();
        assertThat(tier.variants(null, "http://x/fine").join()).isEmpty();
        assertThat(tier.unavailableCount()).isEqualTo(7);
      } finally {
        tier.release();
      }
    }
  }

  @Test
  void withRedisNeverThereLookupsComeBackEmptyAtOnceAndAreWarnedAboutOncePerInterval() {
    AtomicLong now = new AtomicLong(1_000_000_000_000L);
    RecordingLogger log = new RecordingLogger();
    // nothing listens on port 1
    RedisTier tier = new RedisTier(new RedisSettings(List.of("redis://127.0.0.1:1"), false, Duration.ofMillis(20)), "r", now::get, log);
    try {
      now.addAndGet(Duration.ofSeconds(10).toNanos());
      for (int i = 0; i < 5; i++) {
        assertThat(tier.variants(null, "http://x/a")).isCompletedWithValue(null);
      }
      tier.write("http://x/a", new byte[] {1}, new byte[] {2}, 1000);
      now.addAndGet(Duration.ofMillis(9_999).toNanos());
      assertThat(tier.variants(null, "http://x/a")).isCompletedWithValue(null);
      now.addAndGet(Duration.ofMillis(1).toNanos());
      assertThat(tier.variants(null, "http://x/a")).isCompletedWithValue(null);

      assertThat(tier.available()).isFalse();
      assertThat(tier.unavailableCount()).isEqualTo(8);
      List<String> warnings = log.lines().stream().map(RecordingLogger.Line::message).toList();
      assertThat(warnings).hasSize(2);
      assertThat(warnings.get(0)).isEqualTo("Redis for cached responses on route 'r' is unavailable (not connected); the cache works with its"
          + " local tier alone: 1 Redis command(s) skipped or failed since the last warning, 1 in all");
      assertThat(warnings.get(1)).endsWith(": 7 Redis command(s) skipped or failed since the last warning, 8 in all");
    } finally {
      tier.release();
    }
  }
}
