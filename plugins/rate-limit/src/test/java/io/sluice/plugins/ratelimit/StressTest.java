package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.ratelimit.RateLimitConfig.Algorithm;
import io.sluice.plugins.ratelimit.RateLimitConfig.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The local limiter from many threads at once: never more allowed than the limit says. */
class StressTest {

  private static final int THREADS = 16;
  private static final int ATTEMPTS = 20_000;

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"TOKEN_BUCKET", "FIXED_WINDOW", "SLIDING_WINDOW", "LEAKY_BUCKET"})
  void manyThreadsOnOneKeyNeverGetMoreThanTheLimit(Algorithm algorithm) throws Exception {
    FakeTicker clock = new FakeTicker(); // frozen: the whole run is one instant
    Policy policy = new Policy("p", new Limit(algorithm, 1000L, Duration.ofHours(1), null, List.of("global"), null, null),
        1000, 10, clock);
    long expected = algorithm == Algorithm.LEAKY_BUCKET ? 1 : 1000;

    AtomicLong allowed = hammer(() -> Verdict.isAllowed(policy.acquire("k", clock.nanoTime())));

    assertThat(allowed.get()).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"TOKEN_BUCKET", "FIXED_WINDOW", "SLIDING_WINDOW"})
  void manyThreadsWhileTheClockMovesNeverGetMoreThanAllowed(Algorithm algorithm) throws Exception {
    FakeTicker clock = new FakeTicker();
    long window = Duration.ofMillis(100).toNanos();
    Policy policy = new Policy("p", new Limit(algorithm, 50L, Duration.ofNanos(window), null, List.of("global"), null, null),
        50, 10, clock);
    long first = clock.nanoTime();
    AtomicBoolean moving = new AtomicBoolean(true);
    AtomicLong attempts = new AtomicLong();
    // one thread moves the clock a millisecond at a time through 20 windows, each step after 50 more attempts
    Thread mover = Thread.ofPlatform().start(() -> {
      for (int step = 1; step <= 2000; step++) {
        while (attempts.get() < step * 50L) {
          Thread.onSpinWait();
        }
        clock.advance(Duration.ofMillis(1));
      }
      moving.set(false);
    });
    List<long[]> allowedAt = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long[] times = new long[100_000];
      allowedAt.add(times);
      threads.add(Thread.ofPlatform().start(() -> {
        int n = 0;
        while (moving.get() && n < times.length) {
          long now = clock.nanoTime(); // may be stale by the time it is counted, as a real clock read can be
          attempts.incrementAndGet();
          if (Verdict.isAllowed(policy.acquire("k", now))) {
            times[n++] = now;
          }
        }
      }));
    }
    mover.join();
    for (Thread thread : threads) {
      thread.join();
    }
    long last = clock.nanoTime();
    long[] times = allowedAt.stream().flatMapToLong(a -> java.util.Arrays.stream(a).filter(x -> x != 0)).sorted().toArray();

    assertThat(times.length).isPositive();
    if (algorithm == Algorithm.TOKEN_BUCKET) {
      // by any instant, at most the burst plus one token per interval since the start
      long interval = window / 50;
      for (int k = 0; k < times.length; k++) {
        assertThat(k + 1L).as("allowed by %d ns", times[k] - first).isLessThanOrEqualTo(50 + (times[k] - first) / interval);
      }
    } else {
      // no window ever counts more than the limit, so the run no more than the limit per window it touched
      long windows = Math.floorDiv(last, window) - Math.floorDiv(first, window) + 1;
      assertThat((long) times.length).isLessThanOrEqualTo(50 * windows);
    }
  }

  @Test
  void concurrencyNeverAdmitsMoreThanItsLimitAtOnce() throws Exception {
    FakeTicker clock = new FakeTicker();
    Policy policy = new Policy("p", new Limit(Algorithm.CONCURRENCY, 8L, null, null, List.of("global"), null, null), 8, 10, clock);
    AtomicLong inFlight = new AtomicLong();
    AtomicLong most = new AtomicLong();

    hammer(() -> {
      AtomicLong slot = policy.enter("k");
      if (slot == null) {
        return false;
      }
      long now = inFlight.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      inFlight.decrementAndGet();
      slot.decrementAndGet();
      return true;
    });

    assertThat(most.get()).isBetween(1L, 8L);
    assertThat(policy.enter("k").get()).isEqualTo(1); // every slot was given back
  }

  private interface Attempt {
    boolean run();
  }

  private static AtomicLong hammer(Attempt attempt) throws InterruptedException {
    AtomicLong allowed = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < ATTEMPTS; i++) {
          if (attempt.run()) {
            allowed.incrementAndGet();
          }
        }
      }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    return allowed;
  }
}
