package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.RedisSettings;
import io.sluice.testing.RecordingLogger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests answered without Redis are all counted, and warned about at most once per 10 s. */
class FallbackWarningTest {

  @Test
  void everyFallbackIsCountedAndWarnedAboutAtMostOncePerInterval() {
    FakeTicker clock = new FakeTicker();
    RecordingLogger log = new RecordingLogger();
    // nothing listens on port 1; the store is never asked to send a command here
    SharedRedis redis = SharedRedis.acquire(new RedisSettings(List.of("redis://127.0.0.1:1"), false, Duration.ofMillis(20)), clock, log);
    try {
      clock.advance(Duration.ofSeconds(10));
      for (int i = 0; i < 5; i++) {
        redis.fellBack("answered by the local fallback limits", new IllegalStateException("down"));
      }
      clock.advance(Duration.ofMillis(9_999));
      redis.fellBack("answered by the local fallback limits", null);
      clock.advance(Duration.ofMillis(1));
      redis.fellBack("answered by the local fallback limits", null);

      assertThat(redis.fallbacks()).isEqualTo(7);
      assertThat(log.lines()).hasSize(2);
      assertThat(log.lines().get(0).message()).isEqualTo("Redis for rate limits is unavailable (java.lang.IllegalStateException: down);"
          + " 1 request(s) answered by the local fallback limits since the last warning, 1 in all");
      assertThat(log.lines().get(1).message()).endsWith("; 6 request(s) answered by the local fallback limits since the last warning, 7 in all");
    } finally {
      redis.release();
    }
  }
}
