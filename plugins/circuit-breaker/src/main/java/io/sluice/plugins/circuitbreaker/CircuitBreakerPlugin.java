package io.sluice.plugins.circuitbreaker;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Outcome;
import io.sluice.spi.Plugin;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** Refuses requests while the breaker is open; reports how each admitted request ended. */
final class CircuitBreakerPlugin implements Plugin {

  /** The period that let an exchange through, so that its outcome reaches that period only. */
  private static final AttributeKey<Breaker.Period> ADMITTED = AttributeKey.of("circuit_breaker.admitted", Breaker.Period.class);

  final CircuitBreakerConfig config;
  final Breaker breaker;
  private final Set<Integer> failureStatuses;
  private final long slowNanos;
  private final Runnable release;
  private final AtomicBoolean closed = new AtomicBoolean();

  CircuitBreakerPlugin(CircuitBreakerConfig config, Breaker breaker, Runnable release) {
    this.config = config;
    this.breaker = breaker;
    this.failureStatuses = Set.copyOf(config.failureStatuses());
    this.slowNanos = config.slowCallDuration() == null ? Long.MAX_VALUE : config.slowCallDuration().toNanos();
    this.release = release;
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    Breaker.Period period = breaker.admit();
    if (period == null) {
      long retry = seconds(breaker.retryAfterNanos());
      return Decision.reply(GatewayError.of(ErrorCode.CIRCUIT_OPEN,
              "The " + breaker.name() + " is failing; requests are refused for now. Retry in " + retry + "s")
          .withDetails("circuit_breaker." + breaker.state().name().toLowerCase(Locale.ROOT))
          .withHeader("Retry-After", Long.toString(retry))
          .withField("retry_after", retry));
    }
    exchange.attributes().put(ADMITTED, period);
    return Decision.proceed();
  }

  @Override
  public void onComplete(Exchange exchange, Outcome outcome) {
    Breaker.Period period = exchange.attributes().get(ADMITTED);
    if (period != null) {
      breaker.completed(period, judge(outcome));
    }
  }

  /**
   * Failures: the upstream could not be reached, timed out, reset or sent garbage, or answered
   * with one of the failure statuses. Slow: its response head took longer than
   * {@code slow_call_duration}. Not judged: the upstream was never asked (another plugin answered,
   * the client went away first).
   */
  Breaker.Result judge(Outcome outcome) {
    GatewayError error = outcome.error();
    if (error != null) {
      return switch (error.code()) {
        case UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, NO_HEALTHY_ENDPOINT -> Breaker.Result.FAILURE;
        default -> Breaker.Result.NOT_JUDGED;
      };
    }
    if (outcome.upstreamLatency() == null) {
      return Breaker.Result.NOT_JUDGED;
    }
    boolean failure = failureStatuses.contains(outcome.status());
    boolean slow = outcome.upstreamLatency().toNanos() > slowNanos;
    return failure ? (slow ? Breaker.Result.SLOW_FAILURE : Breaker.Result.FAILURE)
        : slow ? Breaker.Result.SLOW : Breaker.Result.SUCCESS;
  }

  /** {@code {"guards": "upstream 'users'", "state": "open", "retry_after_seconds": 27}} for the admin API. */
  @Override
  public Map<String, Object> state() {
    Breaker.State state = breaker.state();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("guards", breaker.name());
    out.put("state", state.name().toLowerCase(Locale.ROOT));
    if (state == Breaker.State.OPEN) {
      out.put("retry_after_seconds", seconds(breaker.retryAfterNanos()));
    }
    return out;
  }

  static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
