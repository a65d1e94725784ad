package io.sluice.plugintest;

import io.sluice.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when a test says so, for plugins with time-based state (refills, expiry, timeouts). */
public final class ManualTicker implements Ticker {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  /** Moves the time forward by {@code duration}; returns this ticker. */
  public ManualTicker advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a ticker never goes back (advance by " + duration + ")");
    }
    nanos.addAndGet(duration.toNanos());
    return this;
  }
}
