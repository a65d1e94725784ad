package io.sluice.plugins.ratelimit;

import io.sluice.spi.Ticker;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stops sending commands to a store that keeps failing: after {@code threshold} failures in a row
 * it opens for {@code openNanos}, then lets one probe through; the probe's success closes it, its
 * failure opens it again. Lock-free, so any thread may ask.
 */
final class Breaker {

  private final Ticker ticker;
  private final int threshold;
  private final long openNanos;
  private final AtomicInteger failures = new AtomicInteger();
  /** When the breaker lets a probe through; 0 while closed. */
  private final AtomicLong openUntil = new AtomicLong();
  private final AtomicBoolean probing = new AtomicBoolean();

  Breaker(Ticker ticker, int threshold, long openNanos) {
    this.ticker = ticker;
    this.threshold = threshold;
    this.openNanos = openNanos;
  }

  /** Whether a command may be sent now: closed, or open long enough that this one is the probe. */
  boolean allows() {
    long until = openUntil.get();
    if (until == 0) {
      return true;
    }
    return ticker.nanoTime() - until >= 0 && probing.compareAndSet(false, true);
  }

  boolean isOpen() {
    return openUntil.get() != 0;
  }

  void succeeded() {
    failures.set(0);
    openUntil.set(0);
    probing.set(false);
  }

  void failed() {
    if (failures.incrementAndGet() >= threshold || openUntil.get() != 0) {
      long until = ticker.nanoTime() + openNanos;
      openUntil.set(until == 0 ? 1 : until);
      probing.set(false);
    }
  }
}
