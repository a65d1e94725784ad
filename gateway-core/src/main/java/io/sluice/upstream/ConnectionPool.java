package io.sluice.upstream;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/1.1 connections from one event loop to one endpoint: idle ones kept for reuse (most
 * recently used first, so the rest can expire), a cap on how many exist, and a queue of requests
 * waiting for one when the cap is reached. Over TLS for {@code https://} endpoints. Confined to
 * its event loop.
 */
public final class ConnectionPool implements UpstreamPool {

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
  private final ConnectionHome home = new ConnectionHome() {
    @Override
    public void release(UpstreamConnection connection) {
      ConnectionPool.this.release(connection);
    }

    @Override
    public void forget(UpstreamConnection connection) {
      ConnectionPool.this.forget(connection);
    }
  };

  ConnectionPool(Endpoint endpoint, EventLoop loop, Class<? extends Channel> channelType) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.channelType = channelType;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  /** Connections open or being opened. */
  public int openConnections() {
    return open;
  }

  @Override
  public long connectionsOpened() {
    return opened;
  }

  @Override
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
  @Override
  public void acquireNew(Settings settings, Acquirer acquirer) {
    if (open < settings.maxConnections()) {
      inFlight++;
      connect(settings, acquirer);
    } else {
      acquire(settings, acquirer);
    }
  }

  @Override
  public void requestDone() {
    inFlight--;
  }

  private void release(UpstreamConnection connection) {
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

  private void forget(UpstreamConnection connection) {
    open--;
    idle.remove(connection);
    Waiter waiter = waiters.poll();
    if (waiter != null) {
      waiter.timeout.cancel(false);
      connect(waiter.settings, waiter.acquirer);
    }
  }

  @Override
  public void closeIdle() {
    for (UpstreamConnection connection : idle.toArray(UpstreamConnection[]::new)) {
      connection.discard();
    }
  }

  private void connect(Settings settings, Acquirer acquirer) {
    open++;
    opened++;
    UpstreamConnection connection = new UpstreamConnection(home, false);
    connection.idleTimeoutNanos = settings.idleTimeout().toNanos();
    ChannelFuture future = UpstreamConnector.connect(loop, channelType, settings, endpoint, pipeline -> {
      pipeline.addLast("codec", new HttpClientCodec(
          new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES).setMaxChunkSize(64 * 1024), false, true));
      pipeline.addLast("connection", connection);
    });
    UpstreamConnector.whenReady(future, endpoint, failure -> {
      if (failure == null) {
        acquirer.onAcquired(connection);
      } else {
        connection.discard(); // gives up its place; a failed handshake also closes the channel
        inFlight--;
        acquirer.onAcquireFailed(failure);
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
}
