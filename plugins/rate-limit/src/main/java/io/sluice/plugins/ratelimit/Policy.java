package io.sluice.plugins.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sluice.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One configured limit, compiled: its key, its algorithm and its local counters, one
 * {@link AtomicLong} per key in a bounded Caffeine cache that forgets keys idle long enough to hold
 * nothing that matters (so a flood of new keys costs bounded memory, never an outage).
 */
final class Policy {

  private static final Function<String, AtomicLong> NEW_RATE_CELL = key -> new AtomicLong(Long.MIN_VALUE);
  private static final Function<String, AtomicLong> NEW_COUNTER = key -> new AtomicLong();
  /** A concurrency counter is kept this long after its last request started, so in-flight counts survive idle periods. */
  static final long CONCURRENCY_IDLE_NANOS = TimeUnit.HOURS.toNanos(1);
  /** The least time a key is kept after its last request (see the constructor). */
  static final long MIN_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

  final String name;
  final RateLimitConfig.Limit config;
  final long limit;
  final KeyExtractor key;
  /** {@code null} for {@code concurrency}. */
  final RateAlgorithm algorithm;
  private final Cache<String, AtomicLong> cells;
  private final Function<String, AtomicLong> newCell;

  /**
   * @param limit the limit this instance enforces ({@code config.limit()}, or its share while a shared store fails)
   */
  Policy(String name, RateLimitConfig.Limit config, long limit, int maxKeys, Ticker ticker) {
    this.name = name;
    this.config = config;
    this.limit = limit;
    this.key = KeyExtractor.of(config.key());
    boolean concurrency = config.algorithm() == RateLimitConfig.Algorithm.CONCURRENCY;
    this.algorithm = concurrency ? null : RateAlgorithm.of(config, limit);
    if (algorithm != null) {
      long empty = algorithm.empty();
      this.newCell = empty == Long.MIN_VALUE ? NEW_RATE_CELL : empty == 0 ? NEW_COUNTER : k -> new AtomicLong(empty);
    } else {
      this.newCell = NEW_COUNTER;
    }
    // Kept well past the time its state matters: a cache reads the clock before it records an
    // access, and a thread stalled between the two (a GC pause, preemption) records an older time,
    // so a key in constant use could otherwise expire, and its count start again from zero.
    long idle = concurrency ? CONCURRENCY_IDLE_NANOS : Math.max(algorithm.idleNanos(), MIN_IDLE_NANOS);
    this.cells = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterAccess(Duration.ofNanos(idle))
        .ticker(ticker::nanoTime)
        .executor(Runnable::run) // upkeep on the calling thread: no pool thread per cache
        .build();
  }

  boolean isConcurrency() {
    return algorithm == null;
  }

  /** Counts one request for {@code key} at {@code now}; a {@link Verdict}. Not for {@code concurrency}. */
  long acquire(String key, long now) {
    return algorithm.acquire(cells.get(key, newCell), now);
  }

  /** One more request in flight for {@code key}: the counter to release, or {@code null} when the limit is reached. */
  AtomicLong enter(String key) {
    AtomicLong inFlight = cells.get(key, newCell);
    while (true) {
      long now = inFlight.get();
      if (now >= limit) {
        return null;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return inFlight;
      }
    }
  }

  /** How long a delayed request waits for its turn (leaky bucket with {@code on_limit: delay}); 0 otherwise. */
  long delayNanos(long verdict) {
    return algorithm instanceof RateAlgorithm.Gcra gcra && gcra.maxDelay > 0 ? gcra.delayNanos(verdict) : 0;
  }

  /** Keys remembered now (for tests). */
  long keys() {
    cells.cleanUp();
    return cells.estimatedSize();
  }
}
