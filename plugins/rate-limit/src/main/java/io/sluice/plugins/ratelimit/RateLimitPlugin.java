package io.sluice.plugins.ratelimit;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Decision;
import io.sluice.spi.Exchange;
import io.sluice.spi.Outcome;
import io.sluice.spi.Plugin;
import io.sluice.spi.Response;
import io.sluice.spi.Ticker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks every limit of one plugin entry against its counters: rate limits first, then, only when
 * they all allow the request, concurrency limits (whose slots are given back when the exchange
 * ends, however it ends). The most restrictive answer wins: a rejection with the longest wait, or
 * the smallest remaining budget.
 */
final class RateLimitPlugin implements Plugin {

  /** What the request took: the budget to report, and the in-flight slots to give back. */
  private static final AttributeKey<Taken> TAKEN = AttributeKey.of("rate_limit.taken", Taken.class);

  final RateLimitConfig config;
  final LocalLimits limits;
  private final Answers answers;
  private final Ticker ticker;
  private final boolean headers;
  private final DecisionMeters decisions;

  RateLimitPlugin(RateLimitConfig config, LocalLimits limits, Ticker ticker, DecisionMeters decisions) {
    this.config = config;
    this.limits = limits;
    this.answers = new Answers(limits.policies);
    this.ticker = ticker;
    this.headers = config.headers();
    this.decisions = decisions;
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    List<Policy> policies = limits.policies;
    long now = ticker.nanoTime();
    Policy tightest = null;
    long tightestVerdict = 0;
    Policy refusing = null;
    long longestWait = -1;
    long delay = 0;
    for (int i = 0; i < policies.size(); i++) {
      Policy policy = policies.get(i);
      if (policy.isConcurrency()) {
        continue;
      }
      long verdict = policy.acquire(policy.key.key(exchange), now);
      if (!Verdict.isAllowed(verdict)) {
        if (Verdict.millisOf(verdict) > longestWait) {
          longestWait = Verdict.millisOf(verdict);
          refusing = policy;
        }
        continue;
      }
      delay = Math.max(delay, policy.delayNanos(verdict));
      if (tightest == null || tighter(verdict, tightestVerdict)) {
        tightest = policy;
        tightestVerdict = verdict;
      }
    }
    if (refusing != null) {
      decisions.limited().increment();
      return Decision.reply(answers.rejected(refusing, longestWait));
    }
    Taken taken = null;
    if (limits.concurrency) {
      taken = new Taken();
      for (int i = 0; i < policies.size(); i++) {
        Policy policy = policies.get(i);
        if (!policy.isConcurrency()) {
          continue;
        }
        AtomicLong slot = policy.enter(policy.key.key(exchange));
        if (slot == null) {
          taken.release();
          decisions.limited().increment();
          return Decision.reply(answers.rejected(policy, 1000));
        }
        taken.hold(slot);
        long remaining = policy.limit - slot.get();
        if (tightest == null || remaining < Verdict.remaining(tightestVerdict)) {
          tightest = policy;
          tightestVerdict = Verdict.allowed(remaining, 0);
        }
      }
    }
    if (headers && tightest != null) {
      if (taken == null) {
        taken = new Taken();
      }
      taken.budget(tightest, Verdict.remaining(tightestVerdict), Verdict.millisOf(tightestVerdict));
    }
    if (taken != null) {
      exchange.attributes().put(TAKEN, taken);
    }
    decisions.allowed().increment();
    if (delay > 0) {
      // the gateway stops reading from the client meanwhile; no thread waits
      CompletableFuture<Void> turn = CompletableFuture.runAsync(() -> {},
          CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS, Runnable::run));
      return Decision.await(turn, (ex, ignored) -> Decision.proceed());
    }
    return Decision.proceed();
  }

  /** Less budget left, or as little but for longer. */
  private static boolean tighter(long verdict, long than) {
    long remaining = Verdict.remaining(verdict);
    long other = Verdict.remaining(than);
    return remaining < other || remaining == other && Verdict.millisOf(verdict) > Verdict.millisOf(than);
  }

  @Override
  public void onResponse(Exchange exchange, Response response) {
    Taken taken = exchange.attributes().get(TAKEN);
    if (taken != null && taken.policy != null) {
      answers.budget(response.headers(), taken.policy, taken.remaining, taken.resetMillis);
    }
  }

  @Override
  public void onComplete(Exchange exchange, Outcome outcome) {
    Taken taken = exchange.attributes().get(TAKEN);
    if (taken != null) {
      taken.release();
    }
  }

  /** Per exchange: the budget to report and the concurrency slots held. */
  static final class Taken {
    private AtomicLong first;
    private AtomicLong[] more;
    Policy policy;
    long remaining;
    long resetMillis;

    void hold(AtomicLong slot) {
      if (first == null) {
        first = slot;
      } else {
        more = more == null ? new AtomicLong[] {slot} : java.util.Arrays.copyOf(more, more.length + 1);
        more[more.length - 1] = slot;
      }
    }

    void budget(Policy tightest, long left, long reset) {
      policy = tightest;
      remaining = left;
      resetMillis = reset;
    }

    /** Gives the slots back, once. */
    void release() {
      if (first != null) {
        first.decrementAndGet();
        first = null;
      }
      if (more != null) {
        for (AtomicLong slot : more) {
          slot.decrementAndGet();
        }
        more = null;
      }
    }
  }
}
