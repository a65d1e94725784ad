package io.sluice.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The connections from one event loop to one endpoint: idle ones kept for reuse (most recently
 * used first, so the rest can expire), a cap on how many exist, and a queue of requests waiting
 * for one when the cap is reached. Confined to its event loop.
 */
public final class ConnectionPool {

  private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

  private final Endpoint endpoint;
  private final EventLoop loop;
  private final Class<? extends Channel> channelType;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int open;
  private int inFlight;
  private long opened;
  private ScheduledFuture<?> sweep;

  ConnectionPool(Endpoint endpoint, EventLoop loop, Class<? extends Channel> channelType) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.channelType = channelType;
  }

  /** Callback for {@link #acquire}. Exactly one method is called, on the pool's event loop. */
  public interface Acquirer {
    void onAcquired(UpstreamConnection connection);

    void onAcquireFailed(UpstreamFailure failure);
  }

  /** Options that come from the upstream's config (which can change on reload). */
  public record Settings(int maxConnections, Duration connectTimeout, Duration idleTimeout) {}

  public Endpoint endpoint() {
    return endpoint;
  }

  /** Requests currently using a connection of this pool (for least-request balancing). */
  public int inFlight() {
    return inFlight;
  }

  /** Connections open or being opened. */
  public int openConnections() {
    return open;
  }

  /** Connections opened since the pool was created (tests and metrics use it to see reuse). */
  public long connectionsOpened() {
    return opened;
  }

  public void acquire(Settings settings, Acquirer acquirer) {
    inFlight++;
    UpstreamConnection connection;
    while ((connection = idle.pollLast()) != null) {
      if (connection.isUsable()) {
        acquirer.onAcquired(connection);
        return;
      }
      connection.discard();
    }
    if (open < settings.maxConnections()) {
      connect(settings, acquirer);
      return;
    }
    Waiter waiter = new Waiter(acquirer, settings);
    waiter.timeout = loop.schedule(() -> {
      if (waiters.remove(waiter)) {
        inFlight--;
        acquirer.onAcquireFailed(new UpstreamFailure(UpstreamFailure.Kind.POOL_EXHAUSTED,
            "all " + settings.maxConnections() + " connections to " + endpoint + " stayed busy for "
                + settings.connectTimeout().toMillis() + "ms", false));
      }
    }, settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    waiters.add(waiter);
  }

  /**
   * Like {@link #acquire}, but never hands out an idle connection: for a retry after a reused
   * connection failed, when the other idle ones may be just as stale.
   */
  public void acquireNew(Settings settings, Acquirer acquirer) {
    if (open < settings.maxConnections()) {
      inFlight++;
      connect(settings, acquirer);
    } else {
      acquire(settings, acquirer);
    }
  }

  /** Called once per {@link #acquire} that succeeded, when the request no longer uses the connection. */
  public void requestDone() {
    inFlight--;
  }

  void release(UpstreamConnection connection) {
    Waiter waiter = waiters.poll();
    if (waiter != null) {
      waiter.timeout.cancel(false);
      waiter.acquirer.onAcquired(connection);
      return;
    }
    connection.idleSinceNanos = System.nanoTime();
    idle.addLast(connection);
    scheduleSweep(connection.idleTimeoutNanos);
  }

  void forget(UpstreamConnection connection) {
    open--;
    idle.remove(connection);
    Waiter waiter = waiters.poll();
    if (waiter != null) {
      waiter.timeout.cancel(false);
      connect(waiter.settings, waiter.acquirer);
    }
  }

  /** Closes every idle connection (shutdown). */
  public void closeIdle() {
    for (UpstreamConnection connection : idle.toArray(UpstreamConnection[]::new)) {
      connection.discard();
    }
  }

  private void connect(Settings settings, Acquirer acquirer) {
    open++;
    opened++;
    UpstreamConnection connection = new UpstreamConnection(this);
    connection.idleTimeoutNanos = settings.idleTimeout().toNanos();
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("codec", new HttpClientCodec(
                new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES).setMaxChunkSize(64 * 1024),
                false, true));
            ch.pipeline().addLast("connection", connection);
          }
        });
    ChannelFuture future = bootstrap.connect(endpoint.host(), endpoint.port());
    future.addListener(done -> {
      if (done.isSuccess()) {
        acquirer.onAcquired(connection);
      } else {
        open--;
        inFlight--;
        Throwable cause = done.cause();
        acquirer.onAcquireFailed(new UpstreamFailure(UpstreamFailure.Kind.CONNECT,
            "connect to " + endpoint + " failed: " + (cause == null ? "cancelled" : cause.getMessage()), false));
      }
    });
  }

  private void scheduleSweep(long idleTimeoutNanos) {
    if (sweep == null) {
      sweep = loop.schedule(this::evictIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void evictIdle() {
    sweep = null;
    long now = System.nanoTime();
    long nextDue = Long.MAX_VALUE;
    for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext(); ) {
      UpstreamConnection connection = it.next();
      long due = connection.idleSinceNanos + connection.idleTimeoutNanos;
      if (due - now <= 0) {
        it.remove();
        connection.discard();
      } else {
        nextDue = Math.min(nextDue, due - now);
      }
    }
    if (nextDue != Long.MAX_VALUE) {
      sweep = loop.schedule(this::evictIdle, nextDue, TimeUnit.NANOSECONDS);
    }
  }

  private static final class Waiter {
    final Acquirer acquirer;
    final Settings settings;
    ScheduledFuture<?> timeout;

    Waiter(Acquirer acquirer, Settings settings) {
      this.acquirer = acquirer;
      this.settings = settings;
    }
  }
}
