package io.sluice.spi;

/**
 * A source of nanosecond time, injected so that plugins with time-based state (token refill,
 * breaker timeouts, cache expiry) can be tested by advancing a fake clock.
 */
@FunctionalInterface
public interface Ticker {

  /** The system ticker ({@link System#nanoTime()}). */
  Ticker SYSTEM = System::nanoTime;

  /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
  long nanoTime();
}
