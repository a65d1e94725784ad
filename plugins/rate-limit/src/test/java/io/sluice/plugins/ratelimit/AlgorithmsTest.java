package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.ratelimit.RateLimitConfig.Algorithm;
import io.sluice.plugins.ratelimit.RateLimitConfig.Limit;
import io.sluice.plugins.ratelimit.RateLimitConfig.OnLimit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each algorithm's counting, on one key, with a clock the test moves. */
class AlgorithmsTest {

  private final FakeTicker clock = new FakeTicker();

  private Policy policy(Algorithm algorithm, long limit, Duration window, Long burst) {
    return new Policy("p", new Limit(algorithm, limit, window, burst, List.of("global"), null, null), limit, 1000, clock);
  }

  private int allowedNow(Policy policy, int attempts) {
    int allowed = 0;
    for (int i = 0; i < attempts; i++) {
      if (Verdict.isAllowed(policy.acquire("k", clock.nanoTime()))) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void tokenBucketAllowsItsBurstAtOnceThenExactlyTheRefillRate() {
    Policy bucket = policy(Algorithm.TOKEN_BUCKET, 10, Duration.ofSeconds(1), 20L);

    assertThat(allowedNow(bucket, 100)).isEqualTo(20);
    clock.advance(Duration.ofMillis(100)); // one token
    assertThat(allowedNow(bucket, 100)).isEqualTo(1);
    clock.advance(Duration.ofMillis(550)); // five and a half tokens
    assertThat(allowedNow(bucket, 100)).isEqualTo(5);
    clock.advance(Duration.ofSeconds(60)); // full again, never more than the burst
    assertThat(allowedNow(bucket, 100)).isEqualTo(20);
  }

  @Test
  void tokenBucketReportsRemainingAndWhenToRetry() {
    Policy bucket = policy(Algorithm.TOKEN_BUCKET, 10, Duration.ofSeconds(1), 2L);

    long first = bucket.acquire("k", clock.nanoTime());
    assertThat(Verdict.remaining(first)).isEqualTo(1);
    bucket.acquire("k", clock.nanoTime());
    long refused = bucket.acquire("k", clock.nanoTime());

    assertThat(Verdict.isAllowed(refused)).isFalse();
    assertThat(Verdict.millisOf(refused)).isEqualTo(100);
  }

  @Test
  void fixedWindowCountsPerWindowAndStartsAgainAtTheBoundary() {
    Policy fixed = policy(Algorithm.FIXED_WINDOW, 5, Duration.ofSeconds(10), null);
    clock.advance(Duration.ofNanos(Duration.ofSeconds(10).toNanos() - clock.nanoTime() % Duration.ofSeconds(10).toNanos()));

    assertThat(allowedNow(fixed, 50)).isEqualTo(5);
    clock.advance(Duration.ofSeconds(9));
    long refused = fixed.acquire("k", clock.nanoTime());
    assertThat(Verdict.millisOf(refused)).isEqualTo(1000);
    clock.advance(Duration.ofSeconds(1));
    assertThat(allowedNow(fixed, 50)).isEqualTo(5);
  }

  /**
   * Event loops read the clock before they count: one that read it just before a boundary may
   * count after another counted past it. Its late request belongs to the newer window; it must
   * neither be counted in the old one nor reset the new one's count.
   */
  @Test
  void aClockReadingFromBeforeTheLatestWindowNeverResetsItsCount() {
    long window = Duration.ofSeconds(10).toNanos();
    for (RateAlgorithm algorithm : List.of(new RateAlgorithm.FixedWindow(5, window), new RateAlgorithm.SlidingWindow(5, window))) {
      java.util.concurrent.atomic.AtomicLong cell = new java.util.concurrent.atomic.AtomicLong(algorithm.empty());
      long boundary = 1_000 * window;
      long stale = boundary - 1;
      for (int i = 0; i < 5; i++) {
        assertThat(Verdict.isAllowed(algorithm.acquire(cell, boundary + 1))).as(algorithm + " in the new window").isTrue();
      }

      assertThat(Verdict.isAllowed(algorithm.acquire(cell, stale))).as(algorithm + " late, from before the boundary").isFalse();
      assertThat(Verdict.isAllowed(algorithm.acquire(cell, boundary + 2))).as(algorithm + " count kept").isFalse();
    }
  }

  /** Window numbers are kept modulo a power of two in the state; a fresh key counts from zero whatever the number. */
  @Test
  void aFreshKeyCountsFromZeroInEveryWindowNumber() {
    long window = 1_000;
    for (long index : new long[] {1, 0x7FFF, 0x8001, 0xFFFF, 0x1_0000, 0x7FFF_FFFFL, 0x8000_0001L, 0xFFFF_FFFFL, 0x1_0000_0000L}) {
      for (RateAlgorithm algorithm : List.of(new RateAlgorithm.FixedWindow(3, window), new RateAlgorithm.SlidingWindow(3, window))) {
        java.util.concurrent.atomic.AtomicLong cell = new java.util.concurrent.atomic.AtomicLong(algorithm.empty());
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
          allowed += Verdict.isAllowed(algorithm.acquire(cell, index * window + 500)) ? 1 : 0;
        }
        assertThat(allowed).as(algorithm + " in window " + Long.toHexString(index)).isEqualTo(3);
      }
    }
  }

  @Test
  void slidingWindowWeighsThePreviousWindow() {
    Policy sliding = policy(Algorithm.SLIDING_WINDOW, 100, Duration.ofSeconds(10), null);
    clock.advance(Duration.ofNanos(Duration.ofSeconds(10).toNanos() - clock.nanoTime() % Duration.ofSeconds(10).toNanos()));

    assertThat(allowedNow(sliding, 1000)).isEqualTo(100);
    clock.advance(Duration.ofSeconds(13)); // 30% into the next window: 70% of the previous 100 still count
    assertThat(allowedNow(sliding, 1000)).isEqualTo(30);
    clock.advance(Duration.ofSeconds(5)); // 80% in: 20 of the previous, 30 of this one
    assertThat(allowedNow(sliding, 1000)).isEqualTo(50);
    clock.advance(Duration.ofSeconds(30)); // long idle: nothing counts any more
    assertThat(allowedNow(sliding, 1000)).isEqualTo(100);
  }

  @Test
  void slidingWindowSaysWhenTheWeightedCountDropsBelowTheLimit() {
    Policy sliding = policy(Algorithm.SLIDING_WINDOW, 10, Duration.ofSeconds(10), null);
    clock.advance(Duration.ofNanos(Duration.ofSeconds(10).toNanos() - clock.nanoTime() % Duration.ofSeconds(10).toNanos()));
    allowedNow(sliding, 10);
    clock.advance(Duration.ofSeconds(10));

    long refused = sliding.acquire("k", clock.nanoTime());
    assertThat(Verdict.isAllowed(refused)).isFalse();
    clock.advance(Duration.ofMillis(Verdict.millisOf(refused)));
    assertThat(Verdict.isAllowed(sliding.acquire("k", clock.nanoTime()))).isTrue();
  }

  @Test
  void leakyBucketSpacesRequestsAndDelaysUpToMaxDelay() {
    Policy leaky = new Policy("p", new Limit(Algorithm.LEAKY_BUCKET, 5L, Duration.ofSeconds(1), null, List.of("global"),
        OnLimit.DELAY, Duration.ofSeconds(2)), 5, 1000, clock);

    long[] delays = new long[12];
    int allowed = 0;
    for (int i = 0; i < delays.length; i++) {
      long verdict = leaky.acquire("k", clock.nanoTime());
      if (Verdict.isAllowed(verdict)) {
        delays[allowed++] = leaky.delayNanos(verdict) / 1_000_000;
      }
    }

    // one passes at once, then one every 200 ms for up to 2 s: ten more are held, the rest refused
    assertThat(allowed).isEqualTo(11);
    assertThat(delays).startsWith(0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000);
  }

  @Test
  void leakyBucketWithoutDelayRejectsWhatComesFasterThanTheRate() {
    Policy leaky = policy(Algorithm.LEAKY_BUCKET, 5, Duration.ofSeconds(1), null);

    assertThat(allowedNow(leaky, 10)).isEqualTo(1);
    clock.advance(Duration.ofMillis(200));
    assertThat(allowedNow(leaky, 10)).isEqualTo(1);
    clock.advance(Duration.ofMillis(100));
    assertThat(allowedNow(leaky, 10)).isZero();
  }

  @Test
  void concurrencyCountsWhatIsInFlight() {
    Policy concurrency = new Policy("p", new Limit(Algorithm.CONCURRENCY, 2L, null, null, List.of("global"), null, null), 2, 10, clock);

    var first = concurrency.enter("k");
    var second = concurrency.enter("k");
    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(concurrency.enter("k")).isNull();
    first.decrementAndGet();
    assertThat(concurrency.enter("k")).isNotNull();
  }

  @Test
  void keysAreForgottenWhenIdleAndBoundedInNumber() {
    Policy bounded = new Policy("p", new Limit(Algorithm.FIXED_WINDOW, 5L, Duration.ofSeconds(1), null, List.of("client_ip"), null, null),
        5, 100, clock);

    for (int i = 0; i < 10_000; i++) {
      bounded.acquire("key-" + i, clock.nanoTime());
    }
    assertThat(bounded.keys()).isLessThanOrEqualTo(100);
    clock.advance(Duration.ofSeconds(29));
    assertThat(bounded.keys()).as("kept at least 30s, even when their state matters less long").isPositive();
    clock.advance(Duration.ofSeconds(2));
    assertThat(bounded.keys()).isZero();
  }
}
