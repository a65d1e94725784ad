package io.sluice.plugins.ratelimit;

import io.sluice.plugins.ratelimit.RateLimitConfig.Algorithm;
import io.sluice.plugins.ratelimit.RateLimitConfig.FailureMode;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits of one plugin entry with {@code store: redis}: every limit's script is sent at once
 * (Lettuce pipelines them, so a request costs one round trip whatever the number of limits), and
 * the gateway waits for the answers without holding a thread. While Redis fails, the entry answers
 * from its local fallback limits ({@code failure_mode: open}) or refuses with 503
 * ({@code closed}).
 */
final class RedisLimits {

  /** How long a concurrency slot counts at most when its gateway never gives it back (it died). */
  static final long LEASE_MICROS = TimeUnit.NANOSECONDS.toMicros(Policy.CONCURRENCY_IDLE_NANOS);

  private final SharedRedis redis;
  private final FailureMode failureMode;
  private final RedisScripts[] scripts;
  /** Per limit: the start of its Redis keys, up to the counted value and the closing hash-tag brace. */
  private final String[] prefixes;
  /** Per limit: the script's arguments (a concurrency limit's member is added per request). */
  private final String[][] args;
  private final boolean concurrency;
  /** Makes this instance's concurrency members unique among every gateway's. */
  private final String instance = UUID.randomUUID().toString();
  private final AtomicLong sequence = new AtomicLong();
  private final GatewayError unavailable = GatewayError.of(ErrorCode.RATE_LIMIT_UNAVAILABLE, "Rate limiting is unavailable; retry later")
      .withDetails("rate_limit.store_unavailable")
      .withHeader("Retry-After", "1");

  /**
   * @param redis the shared connection, or {@code null} while validating
   * @param routeId where the limits apply: part of every key, as each route has its own local counters
   */
  RedisLimits(RateLimitConfig config, String routeId, SharedRedis redis) {
    this.redis = redis;
    this.failureMode = config.failureMode();
    List<RateLimitConfig.Limit> limits = config.limits();
    int n = limits.size();
    this.scripts = new RedisScripts[n];
    this.prefixes = new String[n];
    this.args = new String[n][];
    boolean anyConcurrency = false;
    for (int i = 0; i < n; i++) {
      RateLimitConfig.Limit limit = limits.get(i);
      scripts[i] = RedisScripts.of(limit.algorithm());
      // the braces make the key its own hash tag: every key of a limit may land on any cluster node
      prefixes[i] = "sluice:rl:{" + routeId + ':' + (i + 1) + ':' + limit.algorithm().name().toLowerCase(java.util.Locale.ROOT) + ':';
      args[i] = arguments(limit);
      anyConcurrency |= limit.algorithm() == Algorithm.CONCURRENCY;
    }
    this.concurrency = anyConcurrency;
  }

  private static String[] arguments(RateLimitConfig.Limit limit) {
    if (limit.algorithm() == Algorithm.CONCURRENCY) {
      return new String[] {Long.toString(limit.limit()), Long.toString(LEASE_MICROS), null};
    }
    long window = Math.max(1, limit.window().toNanos() / 1000);
    return switch (limit.algorithm()) {
      case TOKEN_BUCKET, LEAKY_BUCKET -> {
        long interval = Math.max(1, window / limit.limit());
        long burst = limit.burst() != null ? limit.burst() : limit.algorithm() == Algorithm.TOKEN_BUCKET ? limit.limit() : 1;
        long delay = limit.maxDelay() == null ? 0 : limit.maxDelay().toNanos() / 1000;
        yield new String[] {Long.toString(interval), Long.toString(Math.multiplyExact(interval, burst)), Long.toString(delay)};
      }
      default -> new String[] {Long.toString(window), Long.toString(limit.limit())};
    };
  }

  /** Checks every limit in Redis and decides when the answers are in; see the class comment. */
  Decision decide(Exchange exchange, RateLimitPlugin plugin) {
    if (redis == null || !redis.available()) {
      return unavailable(exchange, plugin, null);
    }
    List<Policy> policies = plugin.limits.policies;
    int n = policies.size();
    String[] keys = new String[n];
    String[] members = concurrency ? new String[n] : null;
    @SuppressWarnings("unchecked")
    CompletableFuture<List<Long>>[] replies = new CompletableFuture[n];
    for (int i = 0; i < n; i++) {
      Policy policy = policies.get(i);
      keys[i] = prefixes[i] + policy.key.key(exchange) + '}';
      String[] arguments = args[i];
      if (policy.isConcurrency()) {
        members[i] = instance + ':' + sequence.incrementAndGet();
        arguments = arguments.clone();
        arguments[2] = members[i];
      }
      replies[i] = redis.run(exchange.executor(), scripts[i], keys[i], arguments);
    }
    RateLimitPlugin.Taken taken = null;
    if (members != null) {
      // registered before waiting: the exchange gives the slots back when it ends, even when it ends
      // (the client gone, the plugin's timeout) before Redis answers and the resume step never runs
      taken = new RateLimitPlugin.Taken();
      taken.onRelease(() -> leave(keys, members, replies));
      plugin.hold(exchange, taken);
    }
    RateLimitPlugin.Taken held = taken;
    CompletableFuture<Throwable> answered = CompletableFuture.allOf(replies).handle((ignored, failure) -> failure);
    return Decision.await(answered, (ex, failure) -> {
      if (failure != null) {
        if (held != null) {
          held.release();
        }
        return unavailable(ex, plugin, failure);
      }
      return decided(ex, plugin, held, replies);
    });
  }

  private Decision decided(Exchange exchange, RateLimitPlugin plugin, RateLimitPlugin.Taken taken,
      CompletableFuture<List<Long>>[] replies) {
    List<Policy> policies = plugin.limits.policies;
    Policy tightest = null;
    long tightestVerdict = 0;
    Policy refusing = null;
    long longestWait = -1;
    long delay = 0;
    for (int i = 0; i < replies.length; i++) {
      List<Long> reply = replies[i].join(); // complete: allOf succeeded
      long nanos = reply.get(2) * 1000;
      if (reply.get(0) != 1) {
        long wait = Verdict.millisOf(Verdict.rejected(nanos));
        if (wait > longestWait) {
          longestWait = wait;
          refusing = policies.get(i);
        }
        continue;
      }
      delay = Math.max(delay, reply.get(3) * 1000);
      long verdict = Verdict.allowed(reply.get(1), nanos);
      if (tightest == null || RateLimitPlugin.tighter(verdict, tightestVerdict)) {
        tightest = policies.get(i);
        tightestVerdict = verdict;
      }
    }
    if (refusing != null) {
      if (taken != null) {
        taken.release();
      }
      return plugin.limited(refusing, longestWait);
    }
    return plugin.admitted(exchange, taken, tightest, tightestVerdict, delay);
  }

  /**
   * Gives back the concurrency slots this request took in Redis, once each script has answered
   * (never waiting for it): those it entered, and those whose answer was lost (it may have entered).
   */
  private void leave(String[] keys, String[] members, CompletableFuture<List<Long>>[] replies) {
    for (int i = 0; i < members.length; i++) {
      if (members[i] == null) {
        continue;
      }
      String key = keys[i];
      String member = members[i];
      replies[i].whenComplete((reply, failure) -> {
        if (failure != null || reply.get(0) == 1) {
          redis.remove(key, member);
        }
      });
    }
  }

  private Decision unavailable(Exchange exchange, RateLimitPlugin plugin, Throwable cause) {
    if (failureMode == FailureMode.CLOSED) {
      if (redis != null) {
        redis.fellBack("refused (failure_mode: closed)", cause);
      }
      return plugin.unavailable(unavailable);
    }
    if (redis != null) {
      redis.fellBack("answered by the local fallback limits", cause);
    }
    return plugin.fallBack(exchange);
  }

  /** Requests answered without Redis, across every plugin entry sharing its connection (for tests). */
  long fallbacks() {
    return redis == null ? 0 : redis.fallbacks();
  }

  void close() {
    if (redis != null) {
      redis.release();
    }
  }
}
