package io.sluice.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 connections from one event loop to one endpoint (cleartext with prior knowledge, or
 * TLS with ALPN h2), each request a stream. A request gets a stream on the oldest connection with
 * a free one, so load gathers on few connections and the rest can expire; when every connection is
 * at the upstream's SETTINGS_MAX_CONCURRENT_STREAMS, another is opened, up to the per-endpoint
 * cap, and beyond that requests wait as for HTTP/1.1. An endpoint given by host name has its
 * connections spread over the addresses DNS answers; a connection to an address that a later
 * answer no longer has takes no new streams and closes after its last. Confined to its event loop.
 */
public final class Http2ConnectionPool implements UpstreamPool {

  /**
   * Streams a connection is expected to take until an upstream's SETTINGS say otherwise: RFC 9113
   * recommends allowing at least 100. A burst of requests waits for the first connection instead
   * of opening one connection each.
   */
  private static final int ASSUMED_MAX_STREAMS = 100;

  private final Endpoint endpoint;
  private final EventLoop loop;
  private final UpstreamConnector connector;
  private final EndpointAddresses addresses;
  private final List<MultiplexedConnection> connections = new ArrayList<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int expectedStreams = ASSUMED_MAX_STREAMS;
  private int inFlight;
  private long opened;
  private boolean dispatchScheduled;
  private ScheduledFuture<?> sweep;

  Http2ConnectionPool(Endpoint endpoint, EventLoop loop, UpstreamConnector connector) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.connector = connector;
    this.addresses = new EndpointAddresses(endpoint, loop, connector, this::retire);
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  @Override
  public long connectionsOpened() {
    return opened;
  }

  /** Connections open or being opened, draining ones included. */
  @Override
  public int openConnections() {
    return connections.size();
  }

  @Override
  public void acquire(Settings settings, Acquirer acquirer) {
    inFlight++;
    addresses.recheckIfDue();
    if (waiters.isEmpty()) {
      MultiplexedConnection connection = withFreeStream();
      if (connection != null) {
        connection.openStream(acquirer);
        return;
      }
    }
    Waiter waiter = new Waiter(acquirer, settings);
    waiter.timeout = loop.schedule(() -> giveUp(waiter), settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    waiters.add(waiter);
    connectIfNeeded(settings);
  }

  /**
   * The same as {@link #acquire}: a stream is never reused, and connections that received GOAWAY
   * take no new streams, so a refused request lands on another connection by itself.
   */
  @Override
  public void acquireNew(Settings settings, Acquirer acquirer) {
    acquire(settings, acquirer);
  }

  @Override
  public void requestDone() {
    inFlight--;
  }

  @Override
  public void closeIdle() {
    for (MultiplexedConnection connection : List.copyOf(connections)) {
      if (connection.isReady() && connection.openStreams() == 0) {
        connection.close();
      }
    }
  }

  // ---- from MultiplexedConnection ----

  void connectionReady(MultiplexedConnection connection) {
    expectedStreams = Math.max(1, connection.maxStreams());
    dispatch();
    if (connection.openStreams() == 0) {
      scheduleSweep(connection.idleDueNanos(System.nanoTime()));
    }
  }

  /**
   * A stream's exchange ended, or the upstream changed its settings. Waiters are served a moment
   * later: the codec closes a stream only after the exchange has seen its last frame.
   */
  void capacityChanged(MultiplexedConnection connection) {
    if (!waiters.isEmpty() && !dispatchScheduled) {
      dispatchScheduled = true;
      loop.execute(() -> {
        dispatchScheduled = false;
        dispatch();
      });
    }
    if (connection.openStreams() == 0) {
      scheduleSweep(connection.idleDueNanos(System.nanoTime()));
    }
  }

  void streamNotOpened(Acquirer acquirer, String detail) {
    inFlight--;
    acquirer.onAcquireFailed(new UpstreamFailure(UpstreamFailure.Kind.CLOSED, detail, false));
  }

  /** GOAWAY: the connection takes no new streams, so waiters may need another. */
  void connectionDraining(MultiplexedConnection connection, boolean wasReady) {
    if (!wasReady && noneUsable()) {
      failWaiters(UpstreamConnector.failure(endpoint + " sent GOAWAY before the HTTP/2 connection was ready"));
    } else {
      dispatch();
    }
  }

  void connectionClosed(MultiplexedConnection connection, boolean wasConnecting) {
    if (wasConnecting) {
      connectFailed(connection, UpstreamConnector.failure(endpoint + " closed the HTTP/2 connection before it was ready"));
    } else if (connections.remove(connection)) {
      dispatch();
    }
  }

  // ---- internals ----

  private MultiplexedConnection withFreeStream() {
    for (int i = 0; i < connections.size(); i++) {
      MultiplexedConnection connection = connections.get(i);
      if (connection.freeStreams() > 0) {
        return connection;
      }
    }
    return null;
  }

  /** Hands free streams to waiters in order, then opens connections for those still waiting. */
  private void dispatch() {
    while (!waiters.isEmpty()) {
      MultiplexedConnection connection = withFreeStream();
      if (connection == null) {
        connectIfNeeded(waiters.peek().settings);
        return;
      }
      Waiter waiter = waiters.poll();
      waiter.timeout.cancel(false);
      connection.openStream(waiter.acquirer);
    }
  }

  /** Opens as many connections as the waiters need beyond what the connections being opened are expected to take. */
  private void connectIfNeeded(Settings settings) {
    long uncovered = waiters.size() - (long) connecting() * expectedStreams;
    while (uncovered > 0 && connections.size() < settings.maxConnections()) {
      connect(settings);
      uncovered -= expectedStreams;
    }
  }

  private int connecting() {
    int count = 0;
    for (int i = 0; i < connections.size(); i++) {
      if (connections.get(i).isConnecting()) {
        count++;
      }
    }
    return count;
  }

  private boolean noneUsable() {
    for (int i = 0; i < connections.size(); i++) {
      MultiplexedConnection connection = connections.get(i);
      if (connection.isConnecting() || connection.isReady()) {
        return false;
      }
    }
    return true;
  }

  private void connect(Settings settings) {
    int first = (int) opened++;
    MultiplexedConnection connection = new MultiplexedConnection(this, settings.idleTimeout().toNanos());
    connections.add(connection);
    boolean tls = endpoint.isTls() && settings.tls() != null;
    connection.dial = connector.dial(loop, settings, endpoint, pipeline -> {
      if (tls) {
        pipeline.addLast(UpstreamConnector.CLOSE_ON_ERROR); // HTTP/2 handlers come after ALPN
      } else {
        connection.install(pipeline);
      }
    }, (channel, failure) -> {
      if (failure != null) {
        connectFailed(connection, failure);
        return;
      }
      addresses.connected(connection, channel);
      if (tls) {
        installAfterAlpn(connection, channel);
      }
    });
    connection.dial.start(first, addresses::answered);
    // The connect timeout covers DNS, TCP, TLS and the upstream's first SETTINGS together.
    loop.schedule(() -> {
      if (connection.isConnecting()) {
        connectFailed(connection, UpstreamConnector.failure(endpoint + " did not complete the HTTP/2 connection within "
            + settings.connectTimeout().toMillis() + "ms"));
      }
    }, settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  /** After the TLS handshake: HTTP/2 only if the upstream chose it with ALPN; speaking it to an HTTP/1.1 server would be garbage. */
  private void installAfterAlpn(MultiplexedConnection connection, Channel channel) {
    UpstreamFailure refused = UpstreamConnector.http2Refused(channel, endpoint);
    if (refused == null) {
      connection.install(channel.pipeline());
    } else {
      connectFailed(connection, refused);
    }
  }

  /** DNS stopped naming some addresses: their connections take no new streams and close after their last. */
  private void retire(List<InetSocketAddress> current) {
    for (MultiplexedConnection connection : List.copyOf(connections)) {
      if (!addresses.isCurrent(connection)) {
        connection.retire();
      }
    }
  }

  /**
   * A connection that never became ready. Its waiters are failed when nothing else can serve
   * them; no connection is opened in its place, so an endpoint that is down is not hammered.
   */
  private void connectFailed(MultiplexedConnection connection, UpstreamFailure failure) {
    if (!connections.remove(connection)) {
      return;
    }
    connection.dial.cancel(); // closes the connection, or stops it being opened
    if (noneUsable()) {
      failWaiters(failure);
    }
  }

  private void failWaiters(UpstreamFailure failure) {
    Waiter waiter;
    while ((waiter = waiters.poll()) != null) {
      waiter.timeout.cancel(false);
      inFlight--;
      waiter.acquirer.onAcquireFailed(failure);
    }
  }

  private void giveUp(Waiter waiter) {
    if (!waiters.remove(waiter)) {
      return;
    }
    inFlight--;
    long waited = waiter.settings.connectTimeout().toMillis();
    UpstreamFailure failure = connecting() > 0
        ? UpstreamConnector.failure("no HTTP/2 connection to " + endpoint + " became ready within " + waited + "ms")
        : new UpstreamFailure(UpstreamFailure.Kind.POOL_EXHAUSTED, "all " + connections.size() + " HTTP/2 connections to "
            + endpoint + " stayed at their stream limit for " + waited + "ms", false);
    waiter.acquirer.onAcquireFailed(failure);
  }

  private void scheduleSweep(long delayNanos) {
    if (sweep == null) {
      sweep = loop.schedule(this::evictIdle, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }
  }

  private void evictIdle() {
    sweep = null;
    long now = System.nanoTime();
    long nextDue = Long.MAX_VALUE;
    for (MultiplexedConnection connection : List.copyOf(connections)) {
      if (connection.isIdleExpired(now)) {
        connection.close();
      } else if (connection.isReady() && connection.openStreams() == 0) {
        nextDue = Math.min(nextDue, connection.idleDueNanos(now));
      }
    }
    if (nextDue != Long.MAX_VALUE) {
      scheduleSweep(nextDue);
    }
  }
}
