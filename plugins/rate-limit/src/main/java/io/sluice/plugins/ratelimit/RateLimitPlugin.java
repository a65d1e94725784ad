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
  /** The counters: the limits themselves with {@code store: local}, the fallback with {@code store: redis}. */
  final LocalLimits limits;
  /** {@code null} with {@code store: local}. */
  final RedisLimits redis;
  final Answers answers;
  private final Ticker ticker;
  private final boolean headers;
  private final DecisionMeters decisions;

  RateLimitPlugin(RateLimitConfig config, LocalLimits limits, Ticker ticker, RedisLimits redis, DecisionMeters decisions) {
    this.config = config;
    this.limits = limits;
    this.redis = redis;
    this.answers = new Answers(limits.policies);
    this.ticker = ticker;
    this.headers = config.headers();
    this.decisions = decisions;
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    return redis == null ? decide(exchange, limits) : redis.decide(exchange, this);
  }

  /** Decides with local counters: the limits of {@code store: local}, or the fallback while Redis fails. */
  Decision decide(Exchange exchange, LocalLimits limits) {
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
      return limited(refusing, longestWait);
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
          return limited(policy, 1000);
        }
        taken.hold(slot);
        long remaining = policy.limit - slot.get();
        if (tightest == null || remaining < Verdict.remaining(tightestVerdict)) {
          tightest = policy;
          tightestVerdict = Verdict.allowed(remaining, 0);
        }
      }
    }
    return admitted(exchange, taken, tightest, tightestVerdict, delay);
  }

  /** Records what {@code exchange} holds, so that it is given back when the exchange ends (on its event loop). */
  void hold(Exchange exchange, Taken taken) {
    exchange.attributes().put(TAKEN, taken);
  }

  /**
   * Lets an admitted request on: records what it took (slots to give back, the budget to report),
   * after holding it {@code delayNanos} when a leaky bucket delays it.
   */
  Decision admitted(Exchange exchange, Taken taken, Policy tightest, long tightestVerdict, long delayNanos) {
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
    if (delayNanos > 0) {
      // the gateway stops reading from the client meanwhile; no thread waits
      CompletableFuture<Void> turn = CompletableFuture.runAsync(() -> {},
          CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS, Runnable::run));
      return Decision.await(turn, (ex, ignored) -> Decision.proceed());
    }
    return Decision.proceed();
  }

  /** Refuses a request {@code policy} does not allow; a retry may succeed after {@code retryMillis}. */
  Decision limited(Policy policy, long retryMillis) {
    decisions.limited().increment();
    return Decision.reply(answers.rejected(policy, retryMillis));
  }

  /** Refuses a request because the limits cannot be checked (Redis fails, {@code failure_mode: closed}). */
  Decision unavailable(io.sluice.spi.GatewayError error) {
    decisions.unavailable().increment();
    return Decision.reply(error);
  }

  /** Decides with the local fallback limits because Redis failed ({@code failure_mode: open}). */
  Decision fallBack(Exchange exchange) {
    decisions.redisFallbacks().increment();
    return decide(exchange, limits);
  }

  /** Less budget left, or as little but for longer. */
  static boolean tighter(long verdict, long than) {
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

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }

  /** Per exchange: the budget to report and the concurrency slots held. */
  static final class Taken {
    private AtomicLong first;
    private AtomicLong[] more;
    /** Gives back slots held elsewhere (in Redis); {@code null} when there are none. */
    private Runnable shared;
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

    void onRelease(Runnable giveBack) {
      shared = giveBack;
    }

    /** Gives the slots back, once. */
    void release() {
      if (shared != null) {
        shared.run();
        shared = null;
      }
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
