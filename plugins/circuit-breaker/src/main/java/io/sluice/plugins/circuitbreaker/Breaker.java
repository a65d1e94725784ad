package io.sluice.plugins.circuitbreaker;

import io.sluice.spi.Ticker;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One circuit breaker's state machine: closed (calls pass and are judged), open (calls are refused
 * until {@code open_duration} has passed), half-open (a few probes pass; all succeed: closed, one
 * fails: open again).
 *
 * <p>Lock-free: the state is an immutable {@link Period} swapped by compare-and-set, so exactly one
 * caller makes each transition (and logs it). A call remembers the period that admitted it, and its
 * outcome counts only while that period lasts: a slow call admitted before the breaker opened
 * cannot close it again, nor fail a half-open probe round it was not part of.
 */
final class Breaker {

  /** The breaker's states, as the admin API and logs name them. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  /** How a call ended, as far as the breaker is concerned. */
  enum Result { SUCCESS, FAILURE, SLOW, SLOW_FAILURE, NOT_JUDGED }

  /** One stay in one state; never changed once replaced. */
  static final class Period {
    final State state;
    final long sinceNanos;
    /** Closed: the calls judged, and the failures in a row. */
    final CallWindow window;
    final AtomicInteger consecutiveFailures;
    /** Half-open: probes still to let through, and probes that succeeded. */
    final AtomicInteger permits;
    final AtomicInteger successes;

    private Period(State state, long sinceNanos, CallWindow window, int permits) {
      this.state = state;
      this.sinceNanos = sinceNanos;
      this.window = window;
      this.consecutiveFailures = new AtomicInteger();
      this.permits = new AtomicInteger(permits);
      this.successes = new AtomicInteger();
    }
  }

  private final String name;
  private final CircuitBreakerConfig config;
  private final Ticker ticker;
  private final System.Logger log;
  private final long openNanos;
  private final int slowPercent;
  private final AtomicReference<Period> current;

  /**
   * @param name what the breaker guards, for the log: {@code upstream 'users'} or {@code route 'api'}
   */
  Breaker(String name, CircuitBreakerConfig config, Ticker ticker, System.Logger log) {
    this.name = name;
    this.config = config;
    this.ticker = ticker;
    this.log = log;
    this.openNanos = config.openDuration().toNanos();
    this.slowPercent = config.slowCallRate() == null ? 0 : config.slowCallRate();
    this.current = new AtomicReference<>(closed(ticker.nanoTime()));
  }

  private Period closed(long now) {
    CallWindow window = config.windowTime() != null ? new TimeWindow(config.windowTime()) : new CountWindow(config.windowCalls());
    return new Period(State.CLOSED, now, window, 0);
  }

  State state() {
    return current.get().state;
  }

  /** The period that lets a call through now, or {@code null} when the call is refused. */
  Period admit() {
    while (true) {
      Period period = current.get();
      switch (period.state) {
        case CLOSED -> {
          return period;
        }
        case OPEN -> {
          long now = ticker.nanoTime();
          if (now - period.sinceNanos < openNanos) {
            return null;
          }
          move(period, new Period(State.HALF_OPEN, now, null, config.halfOpenCalls()),
              "half-open after " + config.openDuration().toSeconds() + "s: letting " + config.halfOpenCalls() + " probe(s) through");
        }
        case HALF_OPEN -> {
          int left = period.permits.get();
          if (left <= 0) {
            return null;
          }
          if (period.permits.compareAndSet(left, left - 1)) {
            return period;
          }
        }
      }
    }
  }

  /** How long a refused caller should wait before trying again, in nanoseconds (at least a second's worth when probing). */
  long retryAfterNanos() {
    Period period = current.get();
    if (period.state == State.OPEN) {
      return Math.max(0, openNanos - (ticker.nanoTime() - period.sinceNanos));
    }
    return 1_000_000_000L; // half-open: the probes will have answered by then, most likely
  }

  /** Records how a call that {@code admittedBy} let through ended. */
  void completed(Period admittedBy, Result result) {
    Period period = current.get();
    if (period != admittedBy) {
      return;
    }
    boolean failure = result == Result.FAILURE || result == Result.SLOW_FAILURE;
    boolean slow = result == Result.SLOW || result == Result.SLOW_FAILURE;
    switch (period.state) {
      case CLOSED -> {
        if (result == Result.NOT_JUDGED) {
          return;
        }
        long now = ticker.nanoTime();
        period.window.record(failure, slow, now);
        int inARow = failure ? period.consecutiveFailures.incrementAndGet() : 0;
        if (!failure && period.consecutiveFailures.get() != 0) {
          period.consecutiveFailures.set(0);
        }
        if (config.consecutiveFailures() != null && inARow >= config.consecutiveFailures()) {
          move(period, new Period(State.OPEN, now, null, 0), "open: " + inARow + " failures in a row");
        } else if (period.window.exceeds(config.minimumCalls(), config.failureRate(), slowPercent, now)) {
          move(period, new Period(State.OPEN, now, null, 0), "open: " + period.window.describe(now) + " (thresholds: "
              + config.failureRate() + "% failed" + (slowPercent > 0 ? ", " + slowPercent + "% slow" : "") + ")");
        }
      }
      case HALF_OPEN -> {
        if (result == Result.NOT_JUDGED) {
          period.permits.incrementAndGet(); // the probe told nothing: let another one through
        } else if (failure || slow && slowPercent > 0) {
          move(period, new Period(State.OPEN, ticker.nanoTime(), null, 0), "open again: a probe " + (failure ? "failed" : "was slow"));
        } else if (period.successes.incrementAndGet() >= config.halfOpenCalls()) {
          move(period, closed(ticker.nanoTime()), "closed: " + config.halfOpenCalls() + " probe(s) succeeded");
        }
      }
      case OPEN -> {
        // nothing is admitted while open
      }
    }
  }

  private void move(Period from, Period to, String why) {
    if (current.compareAndSet(from, to)) {
      log.log(to.state == State.CLOSED ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
          "circuit breaker for {0} {1}", name, why);
    }
  }

  String name() {
    return name;
  }
}
