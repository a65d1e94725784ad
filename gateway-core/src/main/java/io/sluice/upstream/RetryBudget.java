package io.sluice.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.RetryBudgetConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The retry budget of one upstream (Envoy's {@code retry_budget}): retries in flight may be at most
 * {@code budget_percent} of the requests in flight to it, or {@code min_retry_concurrency},
 * whichever is more. Exchanges of every event loop share it: counting requests is a
 * {@link LongAdder} increment (summed only when a retry asks), taking a retry slot one CAS.
 */
public final class RetryBudget {

  private final RetryBudgetConfig config;
  private final LongAdder active = new LongAdder();
  private final AtomicInteger retrying = new AtomicInteger();
  private final Counter sent;
  private final Counter refused;

  RetryBudget(String upstream, RetryBudgetConfig config, MeterRegistry meters) {
    this.config = config;
    this.sent = meters == null ? null : counter(meters, upstream, "sent");
    this.refused = meters == null ? null : counter(meters, upstream, "budget_exhausted");
  }

  private static Counter counter(MeterRegistry meters, String upstream, String outcome) {
    return Counter.builder("sluice.upstream.retries")
        .description("Retries of requests to the upstream: sent, or not sent because the retry budget was spent")
        .tag("upstream", upstream).tag("outcome", outcome).register(meters);
  }

  /** A request to the upstream starts; {@link #requestEnded} must follow. */
  public void requestStarted() {
    active.increment();
  }

  public void requestEnded() {
    active.decrement();
  }

  /** Retries in flight now. */
  public int retrying() {
    return retrying.get();
  }

  /**
   * Takes a retry slot if the budget has one; {@link #release} gives it back when the retry
   * ends. A refusal is counted.
   */
  public boolean tryAcquire() {
    long allowed = Math.max(config.minRetryConcurrency(), active.sum() * config.budgetPercent() / 100);
    while (true) {
      int now = retrying.get();
      if (now >= allowed) {
        if (refused != null) {
          refused.increment();
        }
        return false;
      }
      if (retrying.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Counts a retry being sent (the first, or a further one on a slot already held). */
  public void sent() {
    if (sent != null) {
      sent.increment();
    }
  }

  /** Gives back a slot taken with {@link #tryAcquire}. */
  public void release() {
    retrying.decrementAndGet();
  }
}
