package io.sluice.plugins.jwt;

import io.sluice.spi.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A wall clock and a ticker that move only when told to, together. */
final class TestTime extends Clock implements Ticker {

  private volatile Instant now;
  private volatile long nanos;

  TestTime(Instant start) {
    this.now = start;
  }

  void advance(Duration by) {
    now = now.plus(by);
    nanos += by.toNanos();
  }

  /** Moves the wall clock only: as if a cache had not yet noticed that time passed. */
  void advanceWallClock(Duration by) {
    now = now.plus(by);
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
