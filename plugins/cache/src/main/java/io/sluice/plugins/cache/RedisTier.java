package io.sluice.plugins.cache;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.sluice.spi.RedisSettings;
import io.sluice.spi.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache's second tier: stored responses in Redis, shared by every gateway instance using the
 * same {@code redis:} section. One Redis hash per target ({@link #KEY_PREFIX} + target) holds the
 * target's variants, one field each, so that an exact purge is one {@code DEL} and a prefix purge a
 * {@code SCAN MATCH prefix*}. Every command is asynchronous (Lettuce, byte-array codec); nothing
 * here blocks or throws: a failing Redis makes lookups come back empty and writes go nowhere, so
 * the cache carries on with its local tier. One client and connection per {@code redis:} section,
 * shared by every cache instance and closed with the last one.
 */
final class RedisTier {

  /** What every key of the cache starts with: {@code sluice:cache:https://host/path?query}. */
  static final String KEY_PREFIX = "sluice:cache:";
  static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Failures in a row after which Redis is left alone for {@link #PAUSE_NANOS}, so a slow Redis costs no request its timeout. */
  static final int FAILURES_BEFORE_PAUSE = 5;
  static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long RECONNECT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The most variants one target keeps in Redis; a target beyond it is dropped and starts again. */
  private static final long MAX_VARIANTS = ResponseStore.MAX_VARIANTS;

  private static final Map<RedisSettings, RedisTier> SHARED = new HashMap<>();

  private final RedisSettings settings;
  private final Ticker ticker;
  private final System.Logger logger;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final AtomicInteger failures = new AtomicInteger();
  /** Until when Redis is left alone after repeated failures; 0 when it is not. */
  private final AtomicLong pausedUntil = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong unavailableWarned = new AtomicLong();
  private final AtomicLong nextWarning;
  private final AtomicLong nextConnect;
  private volatile CompletableFuture<? extends StatefulConnection<byte[], byte[]>> connection;
  private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;
  private int users;

  private RedisTier(RedisSettings settings, Ticker ticker, System.Logger logger) {
    this.settings = settings;
    this.ticker = ticker;
    this.logger = logger;
    this.nextWarning = new AtomicLong(ticker.nanoTime());
    this.nextConnect = new AtomicLong(ticker.nanoTime());
    // two I/O and two computation threads are plenty for a cache's commands; reconnect within a second
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    ClientOptions options = ClientOptions.builder()
        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
        // while reconnecting, fail at once (a local miss goes to the upstream) rather than queue
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(max(settings.commandTimeout(), Duration.ofSeconds(1))).build())
        .build();
    if (settings.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, settings.uris().stream().map(RedisURI::create).toList());
      // cluster nodes are connected on their first command, which rejecting commands would refuse
      cluster.setOptions(ClusterClientOptions.builder(options)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS).build());
      this.client = cluster;
    } else {
      RedisClient single = RedisClient.create(resources);
      single.setOptions(options);
      this.client = single;
    }
    connect();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The tier for {@code settings}, shared with every other cache using them; {@link #release()} it. */
  static RedisTier acquire(RedisSettings settings, Ticker ticker, System.Logger logger) {
    synchronized (SHARED) {
      RedisTier tier = SHARED.computeIfAbsent(settings, s -> new RedisTier(s, ticker, logger));
      tier.users++;
      return tier;
    }
  }

  /** The tier in use for {@code settings}, or {@code null} (for tests). */
  static RedisTier find(RedisSettings settings) {
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
    connection.thenCompose(StatefulConnection::closeAsync)
        .handle((ignored, failure) -> null)
        .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
        .whenComplete((ignored, failure) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  private void connect() {
    CompletableFuture<? extends StatefulConnection<byte[], byte[]>> attempt;
    if (client instanceof RedisClusterClient cluster) {
      // the topology first (without it connectAsync fails with "Partitions not initialized"), without blocking
      attempt = cluster.refreshPartitionsAsync().toCompletableFuture()
          .thenCompose(loaded -> cluster.connectAsync(ByteArrayCodec.INSTANCE))
          .thenApply(c -> connected(c, c.async()));
    } else {
      attempt = ((RedisClient) client).connectAsync(ByteArrayCodec.INSTANCE, RedisURI.create(settings.uris().get(0)))
          .toCompletableFuture()
          .thenApply(c -> connected(c, c.async()));
    }
    connection = attempt;
  }

  private <C> C connected(C connection, RedisClusterAsyncCommands<byte[], byte[]> async) {
    commands = async;
    // without the URIs' user info: a password must not reach the log
    List<String> where = settings.uris().stream().map(uri -> uri.replaceAll("//[^@/]*@", "//")).toList();
    logger.log(System.Logger.Level.INFO, "cached responses are shared through Redis at " + String.join(", ", where)
        + (settings.cluster() ? " (cluster)" : ""));
    return connection;
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

  /** The commands to send now, or {@code null} when Redis is not connected or paused after failures. */
  private RedisClusterAsyncCommands<byte[], byte[]> usable() {
    RedisClusterAsyncCommands<byte[], byte[]> redis = commands;
    if (redis == null) {
      reconnectIfFailed();
      return null;
    }
    long until = pausedUntil.get();
    return until == 0 || ticker.nanoTime() - until >= 0 ? redis : null;
  }

  /** Whether a lookup would be sent now; when not, the caller does without Redis at once. */
  boolean available() {
    return usable() != null;
  }

  /**
   * The stored variants of {@code target}, serialized; an empty list when there are none, and
   * {@code null} when Redis could not be asked or did not answer within the command timeout. Never
   * completes exceptionally. Completes on a Lettuce thread.
   */
  CompletableFuture<List<byte[]>> variants(String target) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable();
    if (redis == null) {
      unavailable(null);
      return CompletableFuture.completedFuture(null);
    }
    return redis.hvals(key(target)).toCompletableFuture().handle((values, failure) -> {
      outcome(failure);
      return failure == null ? values : null;
    });
  }

  /**
   * Stores one variant of {@code target} (replacing the one in {@code field}), and makes the
   * target's key live at least {@code ttlMillis} more: the TTL of a new key, or a longer one than
   * it had. Sent without waiting; a failure counts like any other.
   */
  void write(String target, byte[] field, byte[] entry, long ttlMillis) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable();
    if (redis == null) {
      unavailable(null);
      return;
    }
    byte[] key = key(target);
    // pipelined on one connection, so in this order: the key has no TTL only between the first two
    redis.hset(key, field, entry).whenComplete((ignored, failure) -> outcome(failure));
    redis.pexpire(key, ttlMillis, ExpireArgs.Builder.nx());
    redis.pexpire(key, ttlMillis, ExpireArgs.Builder.gt());
    redis.hlen(key).thenAccept(count -> {
      if (count > MAX_VARIANTS) {
        redis.unlink(key); // a target with too many variants (Vary on something wild) starts again
      }
    });
  }

  /** Removes every variant of {@code target}, without waiting. */
  void delete(String target) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable();
    if (redis != null) {
      redis.del(key(target)).whenComplete((ignored, failure) -> outcome(failure));
    }
  }

  /**
   * Removes every target starting with {@code prefix}: {@code SCAN MATCH} (on every node of a
   * cluster) and {@code UNLINK} of what each step finds, without waiting. The returned stage
   * completes with how many keys were removed, or {@code -1} when Redis failed; for tests.
   */
  CompletableFuture<Long> deleteStartingWith(String prefix) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable();
    if (redis == null) {
      return CompletableFuture.completedFuture(-1L);
    }
    ScanArgs match = ScanArgs.Builder.matches(KEY_PREFIX + globEscaped(prefix) + "*").limit(1000);
    return scanAndUnlink(redis, redis.scan(match).toCompletableFuture(), match, 0)
        .handle((removed, failure) -> {
          outcome(failure);
          return failure == null ? removed : -1L;
        });
  }

  private CompletableFuture<Long> scanAndUnlink(RedisClusterAsyncCommands<byte[], byte[]> redis,
      CompletableFuture<KeyScanCursor<byte[]>> step, ScanArgs match, long removedSoFar) {
    return step.thenCompose(cursor -> {
      CompletableFuture<Long> unlinked = cursor.getKeys().isEmpty() ? CompletableFuture.completedFuture(0L)
          : redis.unlink(cursor.getKeys().toArray(byte[][]::new)).toCompletableFuture();
      return unlinked.thenCompose(count -> cursor.isFinished()
          ? CompletableFuture.completedFuture(removedSoFar + count)
          : scanAndUnlink(redis, redis.scan((ScanCursor) cursor, match).toCompletableFuture(), match, removedSoFar + count));
    });
  }

  /** A Redis glob matching {@code text} literally. */
  static String globEscaped(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  static byte[] key(String target) {
    return (KEY_PREFIX + target).getBytes(StandardCharsets.UTF_8);
  }

  /** Feeds a command's outcome into the pause: {@link #FAILURES_BEFORE_PAUSE} failures in a row leave Redis alone a while. */
  private void outcome(Throwable failure) {
    if (failure == null) {
      if (failures.get() != 0 || pausedUntil.get() != 0) {
        failures.set(0);
        pausedUntil.set(0);
      }
      return;
    }
    unavailable(failure);
    if (failures.incrementAndGet() >= FAILURES_BEFORE_PAUSE) {
      long until = ticker.nanoTime() + PAUSE_NANOS;
      pausedUntil.set(until == 0 ? 1 : until);
      failures.set(0);
    }
  }

  /** Counts one command not sent or failed, and warns at most once per {@link #WARN_EVERY_NANOS}. */
  private void unavailable(Throwable cause) {
    long count = unavailable.incrementAndGet();
    long now = ticker.nanoTime();
    long next = nextWarning.get();
    if (now - next >= 0 && nextWarning.compareAndSet(next, now + WARN_EVERY_NANOS)) {
      long since = count - unavailableWarned.getAndSet(count);
      Throwable why = cause == null ? null : unwrap(cause);
      logger.log(System.Logger.Level.WARNING, "Redis for cached responses is unavailable ("
          + (why != null ? why.toString() : commands == null ? "not connected" : "paused after repeated failures")
          + "); the cache works with its local tier alone: " + since + " Redis command(s) skipped or failed since the last"
          + " warning, " + count + " in all");
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Whether the connection is up (a command may still fail). */
  boolean connected() {
    return commands != null;
  }

  /** Redis commands skipped or failed since start. */
  long unavailableCount() {
    return unavailable.get();
  }
}
