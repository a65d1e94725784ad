package io.sluice.plugins.cache;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.sluice.plugins.redis.RedisBreaker;
import io.sluice.plugins.redis.RedisConnection;
import io.sluice.spi.RedisSettings;
import io.sluice.spi.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache's second tier: stored responses in Redis, shared by every gateway instance using the
 * same {@code redis:} section. One Redis hash per target ({@link #KEY_PREFIX} + target) holds the
 * target's variants, one field each, so that an exact purge is one {@code DEL} and a prefix purge a
 * {@code SCAN MATCH prefix*}. Every command is asynchronous (Lettuce, byte-array codec); nothing
 * here blocks or throws: a failing Redis makes lookups come back empty and writes go nowhere, so
 * the cache carries on with its local tier. One per cache instance, over the connection every
 * cache using the same {@code redis:} section shares ({@link RedisConnection}).
 */
final class RedisTier {

  /** What every key of the cache starts with: {@code sluice:cache:https://host/path?query}. */
  static final String KEY_PREFIX = "sluice:cache:";
  static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** The most variants one target keeps in Redis; a target beyond it is dropped and starts again. */
  private static final long MAX_VARIANTS = ResponseStore.MAX_VARIANTS;

  /**
   * One variant in, atomically, so that no key is ever left without a TTL (a connection lost
   * between two commands) and on any Redis version (without {@code PEXPIRE NX}/{@code GT}, Redis 7's):
   * KEYS[1] the target's hash; ARGV: the variant's field, the entry, its TTL in milliseconds, the
   * most variants a target keeps (a new variant beyond them starts the target again).
   */
  private static final String WRITE = """
      if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then
        redis.call('DEL', KEYS[1])
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
      end
      return 1
      """;

  private final String routeId;
  private final Ticker ticker;
  private final System.Logger logger;
  private final RedisConnection<byte[], byte[]> connection;
  /** Leaves a failing Redis alone a while, so that a slow Redis costs no request its timeout. */
  private final RedisBreaker breaker;
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong unavailableWarned = new AtomicLong();
  private final AtomicLong nextWarning;

  /** The tier of one cache instance (on {@code routeId}); {@link #release()} it when the instance is closed. */
  RedisTier(RedisSettings settings, String routeId, Ticker ticker, System.Logger logger) {
    this.routeId = routeId;
    this.ticker = ticker;
    this.logger = logger;
    this.breaker = new RedisBreaker(ticker);
    this.nextWarning = new AtomicLong(ticker.nanoTime());
    this.connection = RedisConnection.acquire(settings, ByteArrayCodec.INSTANCE, "cached responses are shared through Redis",
        ticker, logger);
  }

  void release() {
    connection.release();
  }

  /**
   * The commands to send now from {@code caller} (on its event loop's own connection when it has
   * one; the shared connection for {@code null}), or {@code null} when Redis is not connected or
   * the breaker is open. Asked just before sending, since it may make the command the breaker's probe.
   */
  private RedisClusterAsyncCommands<byte[], byte[]> usable(Executor caller) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = connection.commands(caller);
    return redis != null && breaker.allows() ? redis : null;
  }

  /**
   * Whether a lookup would be sent now; when not, the caller does without Redis at once. It leaves
   * the breaker's probe to the command actually sent (the request may join another's lookup instead).
   */
  boolean available() {
    return connection.commands(null) != null && breaker.wouldAllow();
  }

  /**
   * The stored variants of {@code target}, serialized; an empty list when there are none, and
   * {@code null} when Redis could not be asked or did not answer within the command timeout. Never
   * completes exceptionally. Completes on {@code caller}'s event loop once it has a connection of
   * its own, on a Lettuce thread before that.
   */
  CompletableFuture<List<byte[]>> variants(Executor caller, String target) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable(caller);
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
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable(null);
    if (redis == null) {
      unavailable(null);
      return;
    }
    byte[][] keys = {key(target)};
    redis.<Long>eval(WRITE, ScriptOutputType.INTEGER, keys, field, entry, ascii(ttlMillis), ascii(MAX_VARIANTS))
        .whenComplete((ignored, failure) -> outcome(failure));
  }

  private static byte[] ascii(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
  }

  /** Removes every variant of {@code target}, without waiting. */
  void delete(String target) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable(null);
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
    RedisClusterAsyncCommands<byte[], byte[]> redis = usable(null);
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

  /** Feeds a command's outcome into the breaker, and a failure into the count of commands that failed. */
  private void outcome(Throwable failure) {
    breaker.completed(failure);
    if (failure != null) {
      unavailable(failure);
    }
  }

  /** Counts one command not sent or failed, and warns at most once per {@link #WARN_EVERY_NANOS}. */
  private void unavailable(Throwable cause) {
    long count = unavailable.incrementAndGet();
    long now = ticker.nanoTime();
    long next = nextWarning.get();
    if (now - next >= 0 && nextWarning.compareAndSet(next, now + WARN_EVERY_NANOS)) {
      long since = count - unavailableWarned.getAndSet(count);
      Throwable why = cause == null ? null : RedisConnection.unwrap(cause);
      logger.log(System.Logger.Level.WARNING, "Redis for cached responses on route '" + routeId + "' is unavailable ("
          + (why != null ? why.toString() : !connection.connected() ? "not connected" : "paused after repeated failures")
          + "); the cache works with its local tier alone: " + since + " Redis command(s) skipped or failed since the last"
          + " warning, " + count + " in all");
    }
  }

  /** Whether the connection is up (a command may still fail). */
  boolean connected() {
    return connection.connected();
  }

  /** Redis commands skipped or failed since start. */
  long unavailableCount() {
    return unavailable.get();
  }
}
