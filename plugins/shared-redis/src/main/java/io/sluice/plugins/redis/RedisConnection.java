package io.sluice.plugins.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.epoll.Epoll;
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
 * One Lettuce client and one connection per {@code redis:} section and codec, shared by every
 * plugin instance that asks for the same pair (Lettuce pipelines all their commands over it), and
 * closed when the last one {@linkplain #release() releases} it. It connects without blocking; until
 * then, and while it reconnects after losing Redis, commands fail at once rather than queue behind
 * a dead socket (a cluster's commands wait, bounded by the command timeout, since its nodes are
 * connected on their first command). When the first connection fails (Redis down at start),
 * {@link #commands()} tries again at most once per second; after that Lettuce reconnects by itself
 * within a second of Redis coming back. Thread-safe; nothing here blocks.
 *
 * {@snippet :
 * RedisConnection<String, String> redis = RedisConnection.acquire(settings, StringCodec.UTF8,
 *     "rate limits are kept in Redis", context.ticker(), context.logger());
 * RedisClusterAsyncCommands<String, String> commands = redis.commands();   // null: not connected (yet)
 * redis.release();                                                        // in the plugin's close()
 * }
 *
 * @param <K> keys, as the codec reads and writes them
 * @param <V> values, as the codec reads and writes them
 */
public final class RedisConnection<K, V> {

  private record Use(RedisSettings settings, RedisCodec<?, ?> codec) {}

  private static final Map<Use, RedisConnection<?, ?>> SHARED = new HashMap<>();

  static {
    // Where both native transports load, Lettuce picks epoll for its own threads and warns, at every
    // client it makes, that it did: noise in an operator's log about a choice with nothing to act on.
    // Turning io_uring off for Lettuce only there keeps the same choice without the warning (the
    // event loops' own connections use the gateway's transport, whichever it is).
    if (System.getProperty("io.lettuce.core.iouring") == null && Epoll.isAvailable()) {
      System.setProperty("io.lettuce.core.iouring", "false");
    }
  }
  private static final long RECONNECT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Use use;
  private final RedisCodec<K, V> codec;
  private final String connectedMessage;
  private final Ticker ticker;
  private final System.Logger logger;
  private final ClientResources resources;
  private final ClientOptions options;
  private final AbstractRedisClient client;
  /** A connection per gateway event loop; {@code null} for a cluster, whose client keeps one per node. */
  private final LoopConnections<K, V> loops;
  private final AtomicLong nextConnect;
  private volatile CompletableFuture<? extends StatefulConnection<K, V>> connection;
  private volatile RedisClusterAsyncCommands<K, V> commands;
  private int users;

  private RedisConnection(Use use, RedisCodec<K, V> codec, String connectedMessage, Ticker ticker, System.Logger logger) {
    this.use = use;
    this.codec = codec;
    this.connectedMessage = connectedMessage;
    this.ticker = ticker;
    this.logger = logger;
    this.nextConnect = new AtomicLong(ticker.nanoTime());
    RedisSettings settings = use.settings();
    // Lettuce's own threads: its smallest pools (two each) are plenty for a plugin's commands;
    // reconnect within a second of Redis coming back, not after Lettuce's default backoff of up to 30 s
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.options = ClientOptions.builder()
        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
        // while reconnecting, fail at once (the plugin does without Redis) rather than queue behind a dead socket
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
      this.loops = new LoopConnections<>(RedisURI.create(settings.uris().get(0)), codec, resources, options, ticker);
    }
    connect();
  }

  private static Duration connectTimeout(RedisSettings settings) {
    Duration atLeast = Duration.ofSeconds(1);
    return settings.commandTimeout().compareTo(atLeast) > 0 ? settings.commandTimeout() : atLeast;
  }

  /**
   * The connection for {@code settings} and {@code codec}, shared with every other user of the same
   * pair (codecs are compared by identity: pass a shared instance such as {@code StringCodec.UTF8});
   * {@link #release()} it when done. The first user's {@code connectedMessage} is logged, followed
   * by where (without passwords), each time the connection is made.
   */
  public static <K, V> RedisConnection<K, V> acquire(RedisSettings settings, RedisCodec<K, V> codec, String connectedMessage,
      Ticker ticker, System.Logger logger) {
    synchronized (SHARED) {
      @SuppressWarnings("unchecked") // keyed by the codec, so the types match it
      RedisConnection<K, V> connection = (RedisConnection<K, V>) SHARED.computeIfAbsent(new Use(settings, codec),
          use -> new RedisConnection<>(use, codec, connectedMessage, ticker, logger));
      connection.users++;
      return connection;
    }
  }

  /** The connection in use for {@code settings} and {@code codec}, or {@code null} (for tests). */
  public static RedisConnection<?, ?> find(RedisSettings settings, RedisCodec<?, ?> codec) {
    synchronized (SHARED) {
      return SHARED.get(new Use(settings, codec));
    }
  }

  /** One user fewer; the last one closes the connection and the client, without waiting for them. */
  public void release() {
    synchronized (SHARED) {
      if (--users > 0) {
        return;
      }
      SHARED.remove(use);
    }
    // the event loops' connections first, bounded: one whose gateway stopped first may never say it closed
    CompletableFuture<Void> loopsClosed = loops == null ? CompletableFuture.completedFuture(null)
        : loops.close().completeOnTimeout(null, 2, TimeUnit.SECONDS);
    loopsClosed.thenCompose(ignored -> connection)
        .thenCompose(StatefulConnection::closeAsync)
        .handle((ignored, failure) -> null)
        .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
        .whenComplete((ignored, failure) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  private void connect() {
    CompletableFuture<? extends StatefulConnection<K, V>> attempt;
    if (client instanceof RedisClusterClient cluster) {
      // connectAsync alone fails with "Partitions not initialized": load the topology first, without blocking
      attempt = cluster.refreshPartitionsAsync().toCompletableFuture()
          .thenCompose(loaded -> cluster.connectAsync(codec))
          .thenApply(c -> connected(c, c.async()));
    } else {
      attempt = ((RedisClient) client).connectAsync(codec, RedisURI.create(use.settings().uris().get(0))).toCompletableFuture()
          .thenApply(c -> connected(c, c.async()));
    }
    connection = attempt;
  }

  private <C> C connected(C connection, RedisClusterAsyncCommands<K, V> async) {
    commands = async;
    // without the URIs' user info: a password must not reach the log
    List<String> where = use.settings().uris().stream().map(uri -> uri.replaceAll("//[^@/]*@", "//")).toList();
    logger.log(System.Logger.Level.INFO, connectedMessage + " at " + String.join(", ", where)
        + (use.settings().cluster() ? " (cluster)" : ""));
    return connection;
  }

  /**
   * The asynchronous commands (the cluster-aware ones with a cluster), or {@code null} while the
   * first connection is not made; then a failed attempt is retried, at most once per second.
   */
  public RedisClusterAsyncCommands<K, V> commands() {
    RedisClusterAsyncCommands<K, V> redis = commands;
    if (redis == null && connection.isCompletedExceptionally()) {
      long now = ticker.nanoTime();
      long next = nextConnect.get();
      if (now - next >= 0 && nextConnect.compareAndSet(next, now + RECONNECT_EVERY_NANOS)) {
        connect();
      }
    }
    return redis;
  }

  /**
   * The commands to send from {@code caller}'s thread: those of the connection that lives on the
   * caller's event loop ({@code exchange.executor()}) when the caller runs there and that
   * connection is up, so that the command and its answer never leave the loop; otherwise those of
   * {@link #commands()}, as for a {@code null} caller. {@code null} while not connected at all. A
   * Redis Cluster always gets {@link #commands()}. On the first call from an event loop, that loop's connection is opened
   * (without waiting for it).
   */
  public RedisClusterAsyncCommands<K, V> commands(Executor caller) {
    RedisClusterAsyncCommands<K, V> shared = commands();
    if (shared == null || loops == null) {
      return shared;
    }
    RedisClusterAsyncCommands<K, V> onLoop = loops.on(caller);
    return onLoop != null ? onLoop : shared;
  }

  /** Event loops with a connection of their own up now (for tests). */
  public int loopConnections() {
    return loops == null ? 0 : loops.connected();
  }

  /** Whether the connection was made (a command may still fail while Lettuce reconnects). */
  public boolean connected() {
    return commands != null;
  }

  /** Why the last connection attempt failed, or {@code null}. */
  public Throwable connectFailure() {
    return connection.isCompletedExceptionally() ? connection.handle((c, failure) -> failure).join() : null;
  }

  /** The failure a command's stage completed with, without the {@link CompletionException} around it. */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
