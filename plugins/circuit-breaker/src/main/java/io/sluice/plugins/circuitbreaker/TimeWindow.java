package io.sluice.plugins.circuitbreaker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The calls of the last {@code window}, in ten buckets of a tenth each: a bucket older than the
 * window is started afresh by the first call that lands in it again. So the span judged is
 * between nine and ten tenths of the window.
 *
 * <p>Each bucket is two words, each tagged with the bucket's number (24 bits) so that a stale word
 * reads as empty: {@code [number | calls (40 bits)]} and {@code [number | failures (20) | slow (20)]}.
 * Failures and slow calls stop counting at about a million per bucket, which at worst understates
 * a rate that is already far beyond any threshold.
 */
final class TimeWindow implements CallWindow {

  private static final int BUCKETS = 10;
  private static final long NUMBER_MASK = (1L << 24) - 1;
  private static final int COUNT_BITS = 40;
  private static final long CALLS_MASK = (1L << COUNT_BITS) - 1;
  private static final long HALF_MASK = (1L << 20) - 1;

  private final long bucketNanos;
  private final AtomicLongArray calls = new AtomicLongArray(BUCKETS);
  private final AtomicLongArray failuresAndSlow = new AtomicLongArray(BUCKETS);

  TimeWindow(Duration window) {
    this.bucketNanos = window.toNanos() / BUCKETS;
  }

  @Override
  public void record(boolean failure, boolean slow, long nowNanos) {
    long bucket = nowNanos / bucketNanos;
    int index = (int) (bucket % BUCKETS);
    long number = bucket & NUMBER_MASK;
    add(calls, index, number, 1, false);
    if (failure || slow) {
      add(failuresAndSlow, index, number, (failure ? 1L << 20 : 0) | (slow ? 1 : 0), true);
    }
  }

  /** Adds {@code amount} to the word at {@code index}, starting it afresh if it belongs to an older bucket. */
  private static void add(AtomicLongArray words, int index, long number, long amount, boolean halves) {
    while (true) {
      long word = words.get(index);
      long counts = word >>> COUNT_BITS == number ? word & CALLS_MASK : 0;
      long next = halves
          ? Math.min((counts >>> 20) + (amount >>> 20), HALF_MASK) << 20 | Math.min((counts & HALF_MASK) + (amount & HALF_MASK), HALF_MASK)
          : Math.min(counts + amount, CALLS_MASK);
      if (words.compareAndSet(index, word, number << COUNT_BITS | next)) {
        return;
      }
    }
  }

  @Override
  public boolean exceeds(int minimumCalls, int failurePercent, int slowPercent, long nowNanos) {
    long current = (nowNanos / bucketNanos) & NUMBER_MASK;
    return CallWindow.exceeds(sum(calls, current, false), sum(failuresAndSlow, current, true),
        slowPercent > 0 ? sum(failuresAndSlow, current, false) : 0, minimumCalls, failurePercent, slowPercent);
  }

  @Override
  public String describe(long nowNanos) {
    long current = (nowNanos / bucketNanos) & NUMBER_MASK;
    return CallWindow.describe(sum(calls, current, false), sum(failuresAndSlow, current, true),
        sum(failuresAndSlow, current, false), "window's");
  }

  /**
   * The counts of the words still in the window: for {@code failuresAndSlow}, its failures
   * ({@code high}) or slow calls; for {@code calls}, the calls.
   */
  private long sum(AtomicLongArray words, long current, boolean high) {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long word = words.get(i);
      if (((current - (word >>> COUNT_BITS)) & NUMBER_MASK) < BUCKETS) {
        long counts = word & CALLS_MASK;
        total += words == calls ? counts : high ? counts >>> 20 : counts & HALF_MASK;
      }
    }
    return total;
  }
}
