package io.sluice.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.metrics.ConnectionMetrics;
import io.sluice.metrics.RequestMetrics;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.metrics.MirrorMetrics;
import io.sluice.proxy.AccessLog;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.upstream.UpstreamConnector;
import io.sluice.upstream.UpstreamPools;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
  /** The current snapshot and those replaced by a reload that still have exchanges in flight. */
  private final List<GatewaySnapshot> live = new CopyOnWriteArrayList<>();
  private final ChannelGroup clientConnections = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final MeterRegistry meters;
  private final Http2Errors http2Errors;
  private final RequestMetrics requestMetrics;
  private final ConnectionMetrics connectionMetrics;
  private volatile boolean draining;
  private final MemoryPressure memory;
  private final MirrorMetrics mirrorMetrics;
  private final Counter shedInFlight;
  private final Counter shedMemory;

  /** Made once: shedding must not allocate more while the gateway is short of memory. */
  private static final GatewayError OVERLOADED_IN_FLIGHT = GatewayError.of(ErrorCode.OVERLOADED,
      "The gateway is overloaded; retry later").withHeader("Retry-After", "1").withDetails("overload.max_in_flight");
  private static final GatewayError OVERLOADED_MEMORY = GatewayError.of(ErrorCode.OVERLOADED,
      "The gateway is overloaded; retry later").withHeader("Retry-After", "1").withDetails("overload.memory");

  ServerState(GatewaySnapshot initial, AccessLog accessLog, UpstreamConnector connector, MeterRegistry meters) {
    this(initial, accessLog, connector, meters, MemoryPressure::measure);
  }

  /** @param memoryReadings what the memory-pressure sampler reads (the JVM's memory in the gateway) */
  ServerState(GatewaySnapshot initial, AccessLog accessLog, UpstreamConnector connector, MeterRegistry meters,
      java.util.function.Supplier<MemoryPressure.Reading> memoryReadings) {
    this.meters = meters;
    this.memory = new MemoryPressure(() -> snapshot().config().server().overload(), memoryReadings);
    this.mirrorMetrics = new MirrorMetrics(meters);
    this.shedInFlight = shedCounter(meters, "in_flight");
    this.shedMemory = shedCounter(meters, "memory");
    Gauge.builder("sluice.overload.level", memory, m -> m.level().ordinal())
        .description("Memory pressure: 0 normal, 1 keep-alive stopped, 2 refusing new requests").register(meters);
    this.http2Errors = new Http2Errors(meters);
    this.requestMetrics = new RequestMetrics(meters);
    this.connectionMetrics = new ConnectionMetrics(meters);
    this.snapshot = new AtomicReference<>(initial);
    live.add(initial);
    this.accessLog = accessLog;
    this.connector = connector;
  }

  private static Counter shedCounter(MeterRegistry meters, String reason) {
    return Counter.builder("sluice.overload.shed")
        .description("Requests refused with OVERLOADED before routing, by reason").tag("reason", reason).register(meters);
  }

  /** Starts sampling memory; {@link #stopSampling} ends it. */
  void startSampling() {
    memory.start();
  }

  void stopSampling() {
    memory.close();
  }

  /** Where mirrored requests are counted. */
  MirrorMetrics mirrorMetrics() {
    return mirrorMetrics;
  }

  MemoryPressure memory() {
    return memory;
  }

  /**
   * Whether a new exchange must be refused, counted on {@code snapshot} already: the answer to
   * send, counted as shed, or {@code null} to serve it. Two volatile reads and a sum over the
   * live snapshots, on the event loop.
   */
  GatewayError shed(GatewaySnapshot snapshot) {
    if (memory.level() == MemoryPressure.Level.REFUSE) {
      shedMemory.increment();
      return OVERLOADED_MEMORY;
    }
    int maxInFlight = snapshot.config().server().overload().maxInFlight();
    if (maxInFlight > 0 && activeExchanges() > maxInFlight) {
      shedInFlight.increment();
      return OVERLOADED_IN_FLIGHT;
    }
    return null;
  }

  /** Whether client connections close after their current response: draining, or memory is short. */
  boolean stopsKeepAlive() {
    return draining || memory.level() != MemoryPressure.Level.NORMAL;
  }

  /** The snapshot new exchanges start with. */
  public GatewaySnapshot snapshot() {
    return snapshot.get();
  }

  /**
   * The current snapshot, with an exchange counted on it ({@link GatewaySnapshot#exchangeEnded}
   * must follow). Read again after counting: a snapshot replaced in between may have been found
   * idle and retired already, so the exchange moves to the new one.
   */
  GatewaySnapshot startExchange() {
    while (true) {
      GatewaySnapshot current = snapshot.get();
      current.exchangeStarted();
      if (snapshot.get() == current) {
        return current;
      }
      current.exchangeEnded();
    }
  }

  /**
   * Publishes a new snapshot and returns the one it replaces; exchanges in flight keep the one
   * they started with. The replaced one is retired: once its last exchange has ended,
   * {@code whenIdle} runs (on the thread that ended it).
   */
  public GatewaySnapshot publish(GatewaySnapshot next, java.util.function.Consumer<GatewaySnapshot> whenIdle) {
    live.add(next);
    GatewaySnapshot previous = snapshot.getAndSet(next);
    if (previous != next) {
      previous.retire(() -> {
        live.remove(previous);
        whenIdle.accept(previous);
      });
    }
    return previous;
  }

  public MeterRegistry meters() {
    return meters;
  }

  /** The meters of finished exchanges. */
  public RequestMetrics requestMetrics() {
    return requestMetrics;
  }

  /** The gauges of open connections and streams. */
  ConnectionMetrics connectionMetrics() {
    return connectionMetrics;
  }

  /**
   * Drops the meters of routes and upstreams that no snapshot in use has any more (see
   * {@link RequestMetrics#retain}); the caller makes sure no snapshot is published meanwhile.
   */
  void retainLiveMeters() {
    java.util.Set<String> routes = new java.util.HashSet<>();
    java.util.Set<String> upstreams = new java.util.HashSet<>();
    for (GatewaySnapshot each : live) {
      each.config().routes().forEach(route -> routes.add(route.id()));
      upstreams.addAll(each.config().upstreams().keySet());
    }
    routes.add("*"); // the shared instance of a global plugin
    requestMetrics.retain(routes, upstreams);
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

  /** The upstream pools of the calling event loop, or {@code null} when it has not used any. */
  UpstreamPools poolsIfAny() {
    return pools.getIfExists();
  }

  boolean isDraining() {
    return draining;
  }

  void startDraining() {
    draining = true;
  }

  /** Exchanges in flight on the current snapshot and on replaced ones. */
  int activeExchanges() {
    int sum = 0;
    for (GatewaySnapshot each : live) {
      sum += each.exchangesInFlight();
    }
    return sum;
  }

  ChannelGroup clientConnections() {
    return clientConnections;
  }
}
