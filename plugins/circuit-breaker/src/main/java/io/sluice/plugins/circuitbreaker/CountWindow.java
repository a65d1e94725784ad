package io.sluice.plugins.circuitbreaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/** The last {@code size} calls, in a ring: each call replaces the oldest and adjusts the counts by the difference. */
final class CountWindow implements CallWindow {

  private static final int FAILURE = 1;
  private static final int SLOW = 2;

  private final int size;
  private final AtomicIntegerArray outcomes;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger slow = new AtomicInteger();

  CountWindow(int size) {
    this.size = size;
    this.outcomes = new AtomicIntegerArray(size);
  }

  @Override
  public void record(boolean failure, boolean isSlow, long nowNanos) {
    int outcome = (failure ? FAILURE : 0) | (isSlow ? SLOW : 0);
    int replaced = outcomes.getAndSet((int) (recorded.getAndIncrement() % size), outcome); // 0 while the ring fills
    int failureChange = (outcome & FAILURE) - (replaced & FAILURE);
    if (failureChange != 0) {
      failures.addAndGet(failureChange);
    }
    int slowChange = ((outcome & SLOW) - (replaced & SLOW)) / SLOW;
    if (slowChange != 0) {
      slow.addAndGet(slowChange);
    }
  }

  @Override
  public boolean exceeds(int minimumCalls, int failurePercent, int slowPercent, long nowNanos) {
    return CallWindow.exceeds(calls(), failures.get(), slow.get(), minimumCalls, failurePercent, slowPercent);
  }

  private long calls() {
    return Math.min(recorded.get(), size);
  }

  @Override
  public String describe(long nowNanos) {
    return CallWindow.describe(calls(), failures.get(), slow.get(), "last");
  }
}
