package io.sluice.upstream;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import java.util.ArrayDeque;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/1.1 connections from one event loop to one endpoint: idle ones kept for reuse (most
 * recently used first, so the rest can expire), a cap on how many exist, and a queue of requests
 * waiting for one when the cap is reached. Over TLS for {@code https://} endpoints. An endpoint
 * given by host name has its connections spread over the addresses DNS answers; a connection to an
 * address that a later answer no longer has is closed instead of reused. Confined to its event loop.
 */
public final class ConnectionPool implements UpstreamPool {

  private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

  private final Endpoint endpoint;
  private final EventLoop loop;
  private final UpstreamConnector connector;
  private final EndpointAddresses addresses;
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

  ConnectionPool(Endpoint endpoint, EventLoop loop, UpstreamConnector connector) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.connector = connector;
    this.addresses = new EndpointAddresses(endpoint, loop, connector, this::retireIdle);
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
  @Override
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
    addresses.recheckIfDue();
    UpstreamConnection connection;
    while ((connection = idle.pollLast()) != null) {
      if (connection.isUsable() && addresses.isCurrent(connection)) {
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
    if (!addresses.isCurrent(connection)) {
      connection.discard(); // DNS no longer names its address; a waiter gets a new connection
      return;
    }
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
    int first = (int) opened++;
    UpstreamConnection connection = new UpstreamConnection(home, false);
    connection.idleTimeoutNanos = settings.idleTimeout().toNanos();
    connector.dial(loop, settings, endpoint, pipeline -> {
      pipeline.addLast("codec", new HttpClientCodec(
          new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES).setMaxChunkSize(64 * 1024), false, true));
      pipeline.addLast("connection", connection);
    }, (channel, failure) -> {
      if (failure == null) {
        addresses.connected(connection, channel);
        acquirer.onAcquired(connection);
      } else {
        connection.discard(); // gives up its place
        inFlight--;
        acquirer.onAcquireFailed(failure);
      }
    }).start(first, addresses::answered);
  }

  /** DNS stopped naming some addresses: idle connections to them close (busy ones when released). */
  private void retireIdle(List<InetSocketAddress> current) {
    for (UpstreamConnection connection : idle.toArray(UpstreamConnection[]::new)) {
      if (!addresses.isCurrent(connection)) {
        connection.discard();
      }
    }
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
