package io.sluice.plugins.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionBuilder;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.BootstrapConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.AttributeKey;
import io.sluice.spi.Ticker;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Redis connections that live on the gateway's own event loops, one per loop, for a Redis that is
 * not a cluster. A command given on an exchange's event loop goes out on that loop's connection and
 * its answer is read there: a request's round trip to Redis crosses no thread. Through Lettuce's
 * own I/O threads every command and every answer crossed between threads, and on a gateway whose
 * event loops keep its cores busy each crossing was a context switch (about 17 µs of CPU per request,
 * half a plain proxied request's cost, in the end-to-end benchmark).
 *
 * <p>A loop's connection is opened on the loop's first command, without waiting; until it is up,
 * and for callers that are not on an event loop (or on one whose transport is unknown), the shared
 * connection serves. A connection that could not be opened is tried again at most once per
 * {@link #RETRY_NANOS}; one that drops is reconnected by Lettuce, on the same loop.
 */
final class LoopConnections<K, V> {

  static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RedisURI uri;
  private final RedisCodec<K, V> codec;
  private final ClientResources resources;
  private final ClientOptions options;
  private final Ticker ticker;
  private final ConcurrentHashMap<EventLoop, OnLoop> byLoop = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Class<? extends Channel>, Transport> transports = new ConcurrentHashMap<>();
  private volatile boolean closed;

  LoopConnections(RedisURI uri, RedisCodec<K, V> codec, ClientResources resources, ClientOptions options, Ticker ticker) {
    this.uri = uri;
    this.codec = codec;
    this.resources = resources;
    this.options = options;
    this.ticker = ticker;
  }

  /**
   * The commands of the connection on {@code executor}'s event loop when the caller runs on that
   * loop and the connection is up; {@code null} otherwise (the caller uses the shared connection).
   */
  RedisClusterAsyncCommands<K, V> on(Executor executor) {
    if (!(executor instanceof EventLoop loop) || !loop.inEventLoop() || closed) {
      return null;
    }
    OnLoop connection = byLoop.get(loop);
    if (connection == null) {
      Transport transport = transportOf(loop);
      if (transport == null) {
        return null;
      }
      connection = new OnLoop(loop, transport);
      byLoop.put(loop, connection);
      connection.open();
      return null;
    }
    return connection.commands(ticker.nanoTime());
  }

  /** Loops with a connection up now (for tests). */
  int connected() {
    return (int) byLoop.values().stream().filter(c -> c.commands != null).count();
  }

  /** Closes every loop's connection and client, without waiting; returns when all have. */
  CompletableFuture<Void> close() {
    closed = true;
    List<CompletableFuture<Void>> closing = byLoop.values().stream().map(OnLoop::close).toList();
    byLoop.clear();
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
      transports.values().forEach(transport -> transport.resolver().close());
      transports.clear();
    });
  }

  /** The channel types of one transport, and a non-blocking DNS resolver that uses them. */
  record Transport(Class<? extends Channel> socket, AddressResolverGroup<InetSocketAddress> resolver) {

    Transport(Class<? extends Channel> socket, Class<? extends DatagramChannel> datagram) {
      this(socket, new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(datagram)));
    }
  }

  /**
   * The transport whose channels can be registered with {@code loop}, or {@code null} for a kind of
   * loop this does not know. Asked of the loop itself: the gateway picks its transport (io_uring,
   * epoll or NIO) at start, and a channel of another transport cannot join its loops.
   */
  private Transport transportOf(EventLoop loop) {
    if (!(loop instanceof IoEventLoop io)) {
      return null;
    }
    try {
      if (io.isIoType(IoUringIoHandler.class)) {
        return transport(IoUringSocketChannel.class, IoUringDatagramChannel.class);
      }
      if (io.isIoType(EpollIoHandler.class)) {
        return transport(EpollSocketChannel.class, EpollDatagramChannel.class);
      }
    } catch (LinkageError missing) {
      // a native transport's classes are not on the class path: the loop cannot be of that kind
    }
    return io.isIoType(NioIoHandler.class) ? transport(NioSocketChannel.class, NioDatagramChannel.class) : null;
  }

  /** One per transport (the gateway's loops are all of one), closed with the connections. */
  private Transport transport(Class<? extends Channel> socket, Class<? extends DatagramChannel> datagram) {
    return transports.computeIfAbsent(socket, type -> new Transport(type, datagram));
  }

  /** One loop's client and connection. Its fields are read on the loop, and written from Lettuce's callbacks. */
  private final class OnLoop {
    private final RedisClient client;
    private volatile RedisClusterAsyncCommands<K, V> commands;
    private volatile CompletableFuture<StatefulRedisConnection<K, V>> connection;
    private volatile long retryAt;

    OnLoop(EventLoop loop, Transport transport) {
      this.client = new LoopBoundClient(resources, uri, loop, transport);
      client.setOptions(options);
    }

    void open() {
      retryAt = ticker.nanoTime() + RETRY_NANOS;
      CompletableFuture<StatefulRedisConnection<K, V>> attempt = new CompletableFuture<>();
      connection = attempt;
      // Lettuce's setup of a connection (checking the URI, a TLS context for rediss://) runs on its
      // own threads, not on the event loop that asked; only the channel is the loop's
      resources.eventExecutorGroup().execute(() -> {
        try {
          client.connectAsync(codec, uri).whenComplete((opened, failure) -> {
            if (failure != null) {
              attempt.completeExceptionally(failure);
            } else {
              attempt.complete(opened);
            }
          });
        } catch (RuntimeException e) {
          attempt.completeExceptionally(e);
        }
      });
      attempt.whenComplete((opened, failure) -> {
        if (failure != null) {
          return; // tried again by commands() after RETRY_NANOS; the shared connection serves meanwhile
        }
        if (closed) {
          close(); // made while everything closed: not in the map any more
        } else {
          commands = opened.async();
        }
      });
    }

    RedisClusterAsyncCommands<K, V> commands(long now) {
      RedisClusterAsyncCommands<K, V> up = commands;
      if (up == null && connection.isCompletedExceptionally() && now - retryAt >= 0) {
        open();
      }
      return up;
    }

    CompletableFuture<Void> close() {
      return connection.handle((opened, failure) -> opened)
          .thenCompose(opened -> opened == null ? CompletableFuture.completedFuture(null) : opened.closeAsync())
          .handle((ignored, failure) -> null)
          .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
          .handle((ignored, failure) -> null);
    }
  }

  /**
   * A client whose connections are registered with one given event loop, as channels of that loop's
   * transport, instead of with Lettuce's own I/O threads. Lettuce configures its bootstrap with its
   * own group and transport, which a bootstrap does not let anyone change afterwards, so the
   * bootstrap is replaced by one for the loop that carries over Lettuce's resolver, options and
   * attributes, with a resolver of the loop's transport (Lettuce's would open its DNS channels as
   * channels of Lettuce's transport); the pipeline, reconnection and timeouts are Lettuce's own.
   */
  private static final class LoopBoundClient extends RedisClient {
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final AddressResolverGroup<InetSocketAddress> resolver;

    LoopBoundClient(ClientResources resources, RedisURI uri, EventLoop loop, Transport transport) {
      super(resources, uri);
      this.loop = loop;
      this.channelType = transport.socket();
      this.resolver = transport.resolver();
    }

    @Override
    protected <K, V, T extends RedisChannelHandler<K, V>> ConnectionFuture<T> initializeChannelAsync(ConnectionBuilder builder) {
      BootstrapConfig lettuce = builder.bootstrap().config();
      Bootstrap onLoop = new Bootstrap().group(loop).channel(channelType).resolver(resolver);
      lettuce.options().forEach((option, value) -> {
        ChannelOption<?> translated = forTransport(option, channelType);
        if (translated != null) {
          setOption(onLoop, translated, value);
        }
      });
      lettuce.attrs().forEach((key, value) -> setAttribute(onLoop, key, value));
      builder.bootstrap(onLoop);
      return super.initializeChannelAsync(builder);
    }

    /**
     * {@code option} as the transport of {@code channelType} knows it: Lettuce sets its keep-alive
     * options as epoll's, io_uring has its own of the same names, and NIO has none (dropped).
     */
    static ChannelOption<?> forTransport(ChannelOption<?> option, Class<? extends Channel> channelType) {
      String epoll = EpollChannelOption.class.getName() + '#';
      if (!option.name().startsWith(epoll) || channelType == EpollSocketChannel.class) {
        return option;
      }
      String name = option.name().substring(epoll.length());
      if (channelType == IoUringSocketChannel.class && ChannelOption.exists(IoUringChannelOption.class.getName() + '#' + name)) {
        return ChannelOption.valueOf(IoUringChannelOption.class, name);
      }
      return null;
    }

    @SuppressWarnings("unchecked")
    private static void setOption(Bootstrap bootstrap, ChannelOption<?> option, Object value) {
      bootstrap.option((ChannelOption<Object>) option, value);
    }

    @SuppressWarnings("unchecked")
    private static void setAttribute(Bootstrap bootstrap, AttributeKey<?> key, Object value) {
      bootstrap.attr((AttributeKey<Object>) key, value);
    }
  }
}
