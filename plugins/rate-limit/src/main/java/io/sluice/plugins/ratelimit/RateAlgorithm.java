package io.sluice.plugins.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How one limit counts, over a key's state held in one {@link AtomicLong} and changed with a
 * compare-and-set loop: lock-free, and allocation-free once the key exists.
 */
abstract sealed class RateAlgorithm {

  /** The initial state of a new key. */
  abstract long empty();

  /** Takes one request from {@code cell} at {@code now} (nanoseconds); a {@link Verdict}. */
  abstract long acquire(AtomicLong cell, long now);

  /** How long an idle key must be kept to remember anything that still matters. */
  abstract long idleNanos();

  /** The state of a key nobody asked about for {@link #idleNanos()} is the empty state. */
  static RateAlgorithm of(RateLimitConfig.Limit limit, long limitPerInstance) {
    long window = limit.window().toNanos();
    return switch (limit.algorithm()) {
      case TOKEN_BUCKET -> new Gcra(window / limitPerInstance, limit.burst() == null ? limitPerInstance : scaled(limit.burst(), limit, limitPerInstance), 0);
      case LEAKY_BUCKET -> new Gcra(window / limitPerInstance, limit.burst() == null ? 1 : scaled(limit.burst(), limit, limitPerInstance),
          limit.maxDelay() == null ? 0 : limit.maxDelay().toNanos());
      case FIXED_WINDOW -> new FixedWindow(limitPerInstance, window);
      case SLIDING_WINDOW -> new SlidingWindow(limitPerInstance, window);
      case CONCURRENCY -> throw new IllegalArgumentException("concurrency is not a rate");
    };
  }

  private static long scaled(long burst, RateLimitConfig.Limit limit, long limitPerInstance) {
    return Math.max(1, burst * limitPerInstance / limit.limit());
  }

  /**
   * Token bucket and leaky bucket as GCRA (the generic cell rate algorithm): the state is the
   * theoretical arrival time of the next request; each request moves it one emission interval on.
   * A request is allowed while that time is at most {@code burst} intervals ahead (exactly a token
   * bucket holding {@code burst} tokens refilled one per interval), and, with a delay, held until
   * its turn when it is at most {@code maxDelay} further ahead (a leaky bucket that smooths).
   */
  static final class Gcra extends RateAlgorithm {

    final long interval;
    final long tolerance;
    final long maxDelay;

    Gcra(long interval, long burst, long maxDelay) {
      this.interval = interval;
      this.tolerance = Math.multiplyHigh(interval, burst) != 0 ? Long.MAX_VALUE / 4 : interval * burst;
      this.maxDelay = maxDelay;
    }

    @Override
    long empty() {
      return Long.MIN_VALUE;
    }

    @Override
    long acquire(AtomicLong cell, long now) {
      while (true) {
        long tat = cell.get();
        long start = tat == Long.MIN_VALUE || tat - now < 0 ? now : tat;
        long next = start + interval;
        long ahead = next - now;
        if (ahead > tolerance + maxDelay) {
          return Verdict.rejected(ahead - tolerance - maxDelay);
        }
        if (cell.compareAndSet(tat, next)) {
          return Verdict.allowed(Math.max(0, (tolerance - ahead) / interval), ahead);
        }
      }
    }

    /** How long an allowed request must wait for its turn, from its verdict. */
    long delayNanos(long verdict) {
      return Math.max(0, Verdict.millisOf(verdict) * 1_000_000 - tolerance);
    }

    @Override
    long idleNanos() {
      return tolerance + maxDelay + interval;
    }
  }

  /** A counter per window of fixed boundaries: exact within a window, up to twice the limit across a boundary. */
  static final class FixedWindow extends RateAlgorithm {

    final long limit;
    final long window;

    FixedWindow(long limit, long window) {
      this.limit = limit;
      this.window = window;
    }

    @Override
    long empty() {
      return 0;
    }

    @Override
    long acquire(AtomicLong cell, long now) {
      long index = Math.floorDiv(now, window);
      long windowTag = index & 0xFFFF_FFFFL;
      long reset = (index + 1) * window - now;
      while (true) {
        long state = cell.get();
        long tag = windowTag;
        long ahead = (state >>> 32) - windowTag & 0xFFFF_FFFFL;
        if (ahead != 0 && ahead < 1L << 31 && (state & 0xFFFF_FFFFL) != 0) { // (not the empty state)
          // another thread, whose clock reading is later, already counts in a later window: so does
          // this request, which is no earlier than that one (a stale reading must not reset the count)
          tag = state >>> 32;
        }
        long count = state >>> 32 == tag ? state & 0xFFFF_FFFFL : 0;
        if (count >= limit) {
          return Verdict.rejected(reset);
        }
        if (cell.compareAndSet(state, tag << 32 | (count + 1))) {
          return Verdict.allowed(limit - count - 1, reset);
        }
      }
    }

    @Override
    long idleNanos() {
      return window;
    }
  }

  /**
   * The weighted two-window counter: the count of the current fixed window plus the previous
   * window's count weighted by how much of it the sliding window still covers. Both counts and the
   * window's tag share one word (16 + 24 + 24 bits), so one compare-and-set keeps them consistent.
   */
  static final class SlidingWindow extends RateAlgorithm {

    private static final long COUNT_MASK = (1L << 24) - 1;
    private static final long TAG_MASK = 0xFFFF;

    final long limit;
    final long window;

    SlidingWindow(long limit, long window) {
      this.limit = limit;
      this.window = window;
    }

    @Override
    long empty() {
      return 0;
    }

    @Override
    long acquire(AtomicLong cell, long now) {
      long index = Math.floorDiv(now, window);
      long nowElapsed = now - index * window;
      long nowTag = index & TAG_MASK;
      long previousTag = (index - 1) & TAG_MASK;
      while (true) {
        long tag = nowTag;
        long elapsed = nowElapsed;
        long state = cell.get();
        long stateTag = state >>> 48;
        long previous;
        long current;
        long ahead = stateTag - tag & TAG_MASK;
        if (ahead != 0 && ahead < (TAG_MASK + 1) / 2 && (state & (1L << 48) - 1) != 0) { // (not the empty state)
          // a later clock reading already counts in a later window: count this request there too, at
          // that window's start (the most its previous window weighs), rather than reset its counts
          tag = stateTag;
          elapsed = 0;
          previous = state >>> 24 & COUNT_MASK;
          current = state & COUNT_MASK;
        } else if (stateTag == tag) {
          previous = state >>> 24 & COUNT_MASK;
          current = state & COUNT_MASK;
        } else if (stateTag == previousTag) {
          previous = state & COUNT_MASK;
          current = 0;
        } else {
          previous = 0;
          current = 0;
        }
        // the previous window's requests, spread evenly, that still fall in the sliding window
        long weighted = (long) Math.floor(previous * ((double) (window - elapsed) / window));
        if (weighted + current >= limit) {
          return Verdict.rejected(retryAfter(previous, current, elapsed));
        }
        if (cell.compareAndSet(state, tag << 48 | previous << 24 | (current + 1))) {
          return Verdict.allowed(limit - weighted - current - 1, window - elapsed);
        }
      }
    }

    /** When the weighted count first drops below the limit, assuming no more requests are allowed meanwhile. */
    private long retryAfter(long previous, long current, long elapsed) {
      if (current >= limit || previous == 0) {
        return window - elapsed + 1; // the next window, where this one's count starts to fade
      }
      // previous * (window - e) / window + current < limit  <=>  e > window * (1 - (limit - current) / previous)
      double fraction = 1.0 - (double) (limit - current) / previous;
      long at = (long) Math.ceil(window * fraction) + 1;
      return Math.max(1, at - elapsed);
    }

    @Override
    long idleNanos() {
      return 2 * window;
    }
  }
}
