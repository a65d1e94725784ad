package io.sluice.plugins.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.sluice.spi.RedisSettings;
import io.sluice.spi.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Lettuce client and one connection per {@code redis:} section, shared by every rate-limit
 * instance with the same settings (Lettuce pipelines the commands of all of them over it), and
 * closed when the last instance using it is closed. A Redis that is not a cluster is also given a
 * connection on each gateway event loop that sends commands ({@link LoopConnections}), which
 * serves that loop's requests once it is up. It also keeps Redis's health for all of them:
 * a {@link Breaker} that stops sending commands after repeated failures, the count of requests
 * answered by a local fallback, and a warning at most once per {@link #WARN_EVERY_NANOS}.
 */
final class SharedRedis {

  private static final Map<RedisSettings, SharedRedis> SHARED = new HashMap<>();
  static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Failures in a row that open the breaker, and how long it stays open before a probe. */
  static final int BREAKER_THRESHOLD = 5;
  static final long BREAKER_OPEN_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long RECONNECT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  final RedisSettings settings;
  final Breaker breaker;
  private final Ticker ticker;
  private final System.Logger logger;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  /** {@code null} for a cluster: its client keeps a connection per node, on Lettuce's threads. */
  private final LoopConnections loops;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong fallbacksWarned = new AtomicLong();
  private final AtomicLong nextWarning;
  private final AtomicLong nextConnect;
  private volatile CompletableFuture<? extends StatefulConnection<String, String>> connection;
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private int users;

  private SharedRedis(RedisSettings settings, Ticker ticker, System.Logger logger) {
    this.settings = settings;
    this.ticker = ticker;
    this.logger = logger;
    this.breaker = new Breaker(ticker, BREAKER_THRESHOLD, BREAKER_OPEN_NANOS);
    this.nextWarning = new AtomicLong(ticker.nanoTime());
    this.nextConnect = new AtomicLong(ticker.nanoTime());
    // Lettuce's own threads: its smallest pools (two each) are plenty for a limiter
    // reconnect within a second of Redis coming back, not after Lettuce's default backoff of up to 30 s
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    ClientOptions options = ClientOptions.builder()
        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
        // while reconnecting, fail at once (and fall back) rather than queue behind a dead socket
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout(settings)).build())
        .build();
    List<RedisURI> uris = settings.uris().stream().map(RedisURI::create).toList();
    if (settings.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      // the cluster client opens each node's connection on that node's first command, which rejecting
      // commands while disconnected would refuse: there commands wait, bounded by the command timeout
      cluster.setOptions(ClusterClientOptions.builder(options)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
          .build());
      this.client = cluster;
      this.loops = null;
    } else {
      RedisClient single = RedisClient.create(resources);
      single.setOptions(options);
      this.client = single;
      this.loops = new LoopConnections(RedisURI.create(settings.uris().get(0)), resources, options, ticker);
    }
    connect();
  }

  private static Duration connectTimeout(RedisSettings settings) {
    Duration atLeast = Duration.ofSeconds(1);
    return settings.commandTimeout().compareTo(atLeast) > 0 ? settings.commandTimeout() : atLeast;
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
    CompletableFuture<? extends StatefulConnection<String, String>> current = connection;
    // bounded: a loop's connection whose gateway stopped first may never say it closed
    CompletableFuture<Void> loopsClosed = loops == null ? CompletableFuture.completedFuture(null)
        : loops.close().completeOnTimeout(null, 2, TimeUnit.SECONDS);
    loopsClosed.thenCompose(ignored -> current)
        .thenCompose(StatefulConnection::closeAsync)
        .handle((ignored, failure) -> null)
        .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
        .whenComplete((ignored, failure) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  private void connect() {
    CompletableFuture<? extends StatefulConnection<String, String>> attempt = client instanceof RedisClusterClient cluster
        // connectAsync alone fails with "Partitions not initialized": load the topology first, without blocking
        ? cluster.refreshPartitionsAsync().toCompletableFuture().thenCompose(loaded -> cluster.connectAsync(StringCodec.UTF8)).thenApply(c -> {
          commands = c.async();
          sayConnected();
          return c;
        })
        : ((RedisClient) client).connectAsync(StringCodec.UTF8, RedisURI.create(settings.uris().get(0))).toCompletableFuture().thenApply(c -> {
          commands = c.async();
          sayConnected();
          return c;
        });
    connection = attempt;
  }

  /** Says once per connection that limits are now kept in Redis: before, requests are answered by the fallback. */
  private void sayConnected() {
    // without the URIs' user info: a password must not reach the log
    List<String> where = settings.uris().stream().map(uri -> uri.replaceAll("//[^@/]*@", "//")).toList();
    logger.log(System.Logger.Level.INFO, "rate limits are kept in Redis at " + String.join(", ", where)
        + (settings.cluster() ? " (cluster)" : ""));
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
    RedisClusterAsyncCommands<String, String> shared = commands;
    if (shared == null) {
      reconnectIfFailed();
      return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis (yet)"));
    }
    RedisClusterAsyncCommands<String, String> onLoop = loops == null ? null : loops.on(caller);
    RedisClusterAsyncCommands<String, String> redis = onLoop != null ? onLoop : shared;
    String[] keys = {key};
    CompletableFuture<List<Long>> result = redis.<List<Long>>evalsha(script.sha, ScriptOutputType.MULTI, keys, args)
        .toCompletableFuture()
        .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
            ? redis.<List<Long>>eval(script.source, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
            : CompletableFuture.failedFuture(failure));
    result.whenComplete((ignored, failure) -> {
      if (failure == null) {
        breaker.succeeded();
      } else {
        breaker.failed();
      }
    });
    return result;
  }

  /** Removes {@code member} from the sorted set {@code key}, without waiting for the answer. */
  void remove(String key, String member) {
    RedisClusterAsyncCommands<String, String> redis = commands;
    if (redis != null) {
      redis.zrem(key, member);
    }
  }

  /** The first connection failed (Redis was down at start): try again, at most once per second. */
  private void reconnectIfFailed() {
    if (!connection.isCompletedExceptionally()) {
      return;
    }
    long now = ticker.nanoTime();
    long next = nextConnect.get();
    if (now - next >= 0 && nextConnect.compareAndSet(next, now + RECONNECT_EVERY_NANOS)) {
      connect();
    }
  }

  /** Whether a command may be sent now; otherwise the caller falls back at once. */
  boolean available() {
    if (commands == null) {
      reconnectIfFailed();
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
    return commands != null;
  }

  /** Why the last connection attempt failed, or {@code null}; for tests. */
  Throwable connectFailure() {
    return connection.isCompletedExceptionally() ? connection.handle((c, failure) -> failure).join() : null;
  }

  /** Event loops with a connection of their own up (for tests). */
  int loopConnections() {
    return loops == null ? 0 : loops.connected();
  }

  /** Requests answered without Redis since start. */
  long fallbacks() {
    return fallbacks.get();
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
