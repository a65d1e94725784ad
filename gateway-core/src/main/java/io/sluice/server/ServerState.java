package io.sluice.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.proxy.AccessLog;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.upstream.UpstreamConnector;
import io.sluice.upstream.UpstreamPools;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What all client connections of a running gateway share: the current config snapshot, the
 * access log, per-event-loop upstream pools, and what graceful drain needs to know.
 */
public final class ServerState {

  private final AtomicReference<GatewaySnapshot> snapshot;
  private final AccessLog accessLog;
  private final UpstreamConnector connector;
  private final FastThreadLocal<UpstreamPools> pools = new FastThreadLocal<>();
  private final AtomicInteger activeExchanges = new AtomicInteger();
  private final ChannelGroup clientConnections = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final MeterRegistry meters;
  private final Http2Errors http2Errors;
  private volatile boolean draining;

  ServerState(GatewaySnapshot initial, AccessLog accessLog, UpstreamConnector connector, MeterRegistry meters) {
    this.meters = meters;
    this.http2Errors = new Http2Errors(meters);
    this.snapshot = new AtomicReference<>(initial);
    this.accessLog = accessLog;
    this.connector = connector;
  }

  /** The snapshot new exchanges start with. */
  public GatewaySnapshot snapshot() {
    return snapshot.get();
  }

  /** Publishes a new snapshot and returns the one it replaces; exchanges in flight keep the one they started with. */
  public GatewaySnapshot publish(GatewaySnapshot next) {
    return snapshot.getAndSet(next);
  }

  public MeterRegistry meters() {
    return meters;
  }

  /** Where the HTTP/2 errors of client connections are counted and logged. */
  Http2Errors http2Errors() {
    return http2Errors;
  }

  public AccessLog accessLog() {
    return accessLog;
  }

  /** The upstream pools of the calling event loop. */
  UpstreamPools pools(EventLoop loop) {
    UpstreamPools current = pools.get();
    if (current == null) {
      current = new UpstreamPools(loop, connector);
      pools.set(current);
    }
    return current;
  }

  boolean isDraining() {
    return draining;
  }

  void startDraining() {
    draining = true;
  }

  int activeExchanges() {
    return activeExchanges.get();
  }

  void exchangeStarted() {
    activeExchanges.incrementAndGet();
  }

  void exchangeEnded() {
    activeExchanges.decrementAndGet();
  }

  ChannelGroup clientConnections() {
    return clientConnections;
  }
}
