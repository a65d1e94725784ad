package io.sluice.plugins.ratelimit;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.sluice.plugins.redis.RedisBreaker;
import io.sluice.plugins.redis.RedisConnection;
import io.sluice.spi.RedisSettings;
import io.sluice.spi.Ticker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code redis:} section's connection ({@link RedisConnection}) as every rate-limit instance
 * with the same settings uses it (Lettuce pipelines the commands of all of them over it), released
 * when the last instance using it is closed. A Redis that is not a cluster is also given a
 * connection on each gateway event loop that sends commands, which serves that loop's requests
 * once it is up ({@link RedisConnection#commands(Executor)}). It also keeps Redis's health for all of them:
 * a {@link RedisBreaker} that stops sending commands after repeated failures, the count of requests
 * answered by a local fallback, and a warning at most once per {@link #WARN_EVERY_NANOS}.
 */
final class SharedRedis {

  private static final Map<RedisSettings, SharedRedis> SHARED = new HashMap<>();
  static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  final RedisSettings settings;
  private final RedisBreaker breaker;
  private final Ticker ticker;
  private final System.Logger logger;
  private final RedisConnection<String, String> redis;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong fallbacksWarned = new AtomicLong();
  private final AtomicLong nextWarning;
  private int users;

  private SharedRedis(RedisSettings settings, Ticker ticker, System.Logger logger) {
    this.settings = settings;
    this.ticker = ticker;
    this.logger = logger;
    this.breaker = new RedisBreaker(ticker);
    this.nextWarning = new AtomicLong(ticker.nanoTime());
    this.redis = RedisConnection.acquire(settings, StringCodec.UTF8, "rate limits are kept in Redis", ticker, logger);
  }

  /** The instance for {@code settings}, shared with every other user of the same settings; {@link #release()} it. */
  static SharedRedis acquire(RedisSettings settings, Ticker ticker, System.Logger logger) {
    synchronized (SHARED) {
      SharedRedis redis = SHARED.computeIfAbsent(settings, s -> new SharedRedis(s, ticker, logger));
      redis.users++;
      return redis;
    }
  }

  /** The instance in use for {@code settings}, or {@code null} (for tests). */
  static SharedRedis find(RedisSettings settings) {
    synchronized (SHARED) {
      return SHARED.get(settings);
    }
  }

  /** One user fewer; the last one closes the connection and the client, without waiting for them. */
  void release() {
    synchronized (SHARED) {
      if (--users > 0) {
        return;
      }
      SHARED.remove(settings);
    }
    redis.release();
  }

  /**
   * Runs {@code script} on {@code key}: EVALSHA, and EVAL when Redis does not know the script
   * (after a restart or SCRIPT FLUSH), which loads it again. Fails fast while not connected. Every
   * outcome feeds the breaker.
   *
   * @param caller where the caller runs (an exchange's event loop): the command goes out on that
   *     loop's own connection when it has one up
   */
  CompletableFuture<List<Long>> run(Executor caller, RedisScripts script, String key, String... args) {
    RedisClusterAsyncCommands<String, String> redis = this.redis.commands(caller);
    if (redis == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis (yet)"));
    }
    String[] keys = {key};
    CompletableFuture<List<Long>> result = redis.<List<Long>>evalsha(script.sha, ScriptOutputType.MULTI, keys, args)
        .toCompletableFuture()
        .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
            ? redis.<List<Long>>eval(script.source, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
            : CompletableFuture.failedFuture(failure));
    result.whenComplete((ignored, failure) -> breaker.completed(failure));
    return result;
  }

  /** Removes {@code member} from the sorted set {@code key}, without waiting for the answer. */
  void remove(String key, String member) {
    RedisClusterAsyncCommands<String, String> redis = this.redis.commands();
    if (redis != null) {
      redis.zrem(key, member);
    }
  }

  /** Whether a command may be sent now; otherwise the caller falls back at once. */
  boolean available() {
    if (redis.commands() == null) {
      return false;
    }
    return breaker.allows();
  }

  /** Counts one request answered without Redis, and warns at most once per {@link #WARN_EVERY_NANOS}. */
  void fellBack(String how, Throwable cause) {
    long count = fallbacks.incrementAndGet();
    long now = ticker.nanoTime();
    long next = nextWarning.get();
    if (now - next >= 0 && nextWarning.compareAndSet(next, now + WARN_EVERY_NANOS)) {
      long since = count - fallbacksWarned.getAndSet(count);
      Throwable why = cause == null ? null : unwrap(cause);
      logger.log(System.Logger.Level.WARNING, "Redis for rate limits is unavailable ("
          + (why == null ? (breaker.isOpen() ? "breaker open after repeated failures" : "not connected") : why.toString())
          + "); " + since + " request(s) " + how + " since the last warning, " + count + " in all");
    }
  }

  /** Whether the connection is up (it may still fail a command); for tests. */
  boolean connected() {
    return redis.connected();
  }

  /** Why the last connection attempt failed, or {@code null}; for tests. */
  Throwable connectFailure() {
    return redis.connectFailure();
  }

  /** Event loops with a connection of their own up (for tests). */
  int loopConnections() {
    return redis.loopConnections();
  }

  /** Requests answered without Redis since start. */
  long fallbacks() {
    return fallbacks.get();
  }

  static Throwable unwrap(Throwable failure) {
    return RedisConnection.unwrap(failure);
  }
}
