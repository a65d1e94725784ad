package io.sluice.plugins.redis;

import io.sluice.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stops a plugin sending commands to a Redis that keeps failing, so that a slow or dead Redis
 * costs no request its command timeout: after {@code threshold} failures in a row it opens for
 * {@code openFor}, then lets one command through as a probe. The probe's success closes it; its
 * failure opens it for another period. At most one probe goes per period: a probe whose outcome
 * never arrives (a command that could not be sent after all) only delays the next one, it never
 * leaves the breaker open for good. What a plugin does while it is open (fall back to local state,
 * refuse, do without) is the plugin's business.
 *
 * <p>Lock-free and allocation-free, so any thread may ask, event loops included; the outcomes of
 * commands in flight may arrive in any order. Time comes from the {@link Ticker}, so tests move it.
 *
 * {@snippet :
 * RedisBreaker breaker = new RedisBreaker(context.ticker());
 * if (breaker.allows()) {                            // closed, or this command is the probe
 *   commands.get(key).whenComplete((value, failure) -> breaker.completed(failure));
 * } else {
 *   // without Redis, at once
 * }
 * }
 */
public final class RedisBreaker {

  /** Failures in a row that open a breaker made with {@link #RedisBreaker(Ticker)}. */
  public static final int DEFAULT_THRESHOLD = 5;
  /** How long a breaker made with {@link #RedisBreaker(Ticker)} stays open before its probe. */
  public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(1);

  private final Ticker ticker;
  private final int threshold;
  private final long openNanos;
  private final AtomicInteger failures = new AtomicInteger();
  /**
   * While closed 0; while open, when the next probe may go (never 0: a time that happens to be 0
   * is moved by a nanosecond). Claiming the probe moves it one period on, which is what keeps the
   * probe single without a flag that a lost probe could leave set.
   */
  private final AtomicLong openUntil = new AtomicLong();

  /** A breaker that opens after {@value #DEFAULT_THRESHOLD} failures in a row, for {@link #DEFAULT_OPEN_FOR}. */
  public RedisBreaker(Ticker ticker) {
    this(ticker, DEFAULT_THRESHOLD, DEFAULT_OPEN_FOR);
  }

  /**
   * A breaker that opens after {@code threshold} failures in a row, for {@code openFor} each time.
   *
   * @throws IllegalArgumentException when {@code threshold} is below 1 or {@code openFor} not positive
   */
  public RedisBreaker(Ticker ticker, int threshold, Duration openFor) {
    if (threshold < 1 || openFor.isNegative() || openFor.isZero()) {
      throw new IllegalArgumentException("threshold " + threshold + " (expected: >= 1), openFor " + openFor
          + " (expected: > 0)");
    }
    this.ticker = ticker;
    this.threshold = threshold;
    this.openNanos = openFor.toNanos();
  }

  /**
   * Whether a command may be sent now: the breaker is closed, or it has been open a whole period
   * and this caller is the probe (which it then must send, and report with {@link #completed}).
   */
  public boolean allows() {
    long until = openUntil.get();
    if (until == 0) {
      return true;
    }
    long now = ticker.nanoTime();
    return now - until >= 0 && openUntil.compareAndSet(until, notZero(now + openNanos));
  }

  /**
   * Whether {@link #allows()} would say yes now, without claiming the probe: for a caller that
   * decides early whether to try Redis at all (and may then not send anything), and asks
   * {@link #allows()} when it sends.
   */
  public boolean wouldAllow() {
    long until = openUntil.get();
    return until == 0 || ticker.nanoTime() - until >= 0;
  }

  /** Whether the breaker is open: commands are refused but for a probe now and then. */
  public boolean isOpen() {
    return openUntil.get() != 0;
  }

  /** Reports a command's outcome: {@code null} for a reply, the failure (error or timeout) otherwise. */
  public void completed(Throwable failure) {
    if (failure == null) {
      succeeded();
    } else {
      failed();
    }
  }

  /** A command got its reply: the breaker closes and counts from 0 again. */
  public void succeeded() {
    // read first: on the common path (closed, no failures) nothing is written to the shared fields
    if (failures.get() != 0 || openUntil.get() != 0) {
      failures.set(0);
      openUntil.set(0);
    }
  }

  /** A command failed: the {@code threshold}th in a row opens the breaker; while it is open, one more failure (the probe's) opens it for another period. */
  public void failed() {
    if (openUntil.get() != 0 || failures.incrementAndGet() >= threshold) {
      openUntil.set(notZero(ticker.nanoTime() + openNanos));
    }
  }

  private static long notZero(long nanos) {
    return nanos == 0 ? 1 : nanos;
  }
}
