package io.sluice.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.config.ConfigException;
import io.sluice.config.GatewayConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.metrics.RuntimeMetrics;
import io.sluice.proxy.AccessLog;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.config.Endpoint;
import io.sluice.upstream.HostResolver;
import io.sluice.upstream.PoolStats;
import io.sluice.upstream.UpstreamConnector;
import io.sluice.upstream.UpstreamPools;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A running gateway: its event loops, its listeners and the current config snapshot.
 * {@link #drainAndStop} stops accepting, lets in-flight exchanges finish for a grace period and
 * then closes everything.
 */
public final class GatewayServer implements AutoCloseable {

  /** User event asking an idle client connection to close (graceful drain). */
  static final Object DRAIN = io.sluice.eventloop.Drain.EVENT;

  private static final long QUIET_PERIOD_MILLIS = 100;
  /** How long a stop waits for a group of event loops to end after asking them to (see {@link #stopLoops}). */
  private static final long LOOP_STOP_WAIT_MILLIS = 5000;
  private static final System.Logger LOG = System.getLogger(GatewayServer.class.getName());

  private final Transport transport;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final HostResolver resolver;
  private final UpstreamConnector connector;
  private final ServerState state;
  private final PluginRegistry registry;
  /** The JVM, GC and allocator meters. */
  private final RuntimeMetrics runtimeMetrics;
  /** The listeners accepting connections, by name, in config order; changed only under this object's lock. */
  private final Map<String, Listening> listening = new LinkedHashMap<>();
  private boolean stopped;

  /** A bound listener with what a reload compares and swaps. */
  private record Listening(ListenerConfig config, Channel channel, ClientChannelInitializer initializer, BoundListener bound) {}

  /** A listener that is accepting connections; {@code scheme} is {@code http} or {@code https}. */
  public record BoundListener(String name, InetSocketAddress address, String scheme) {}

  private GatewayServer(GatewaySnapshot snapshot, PluginRegistry registry, AccessLog accessLog, Transport transport,
      MeterRegistry meters, RuntimeMetrics runtimeMetrics) {
    this.registry = registry;
    this.runtimeMetrics = runtimeMetrics;
    this.transport = transport;
    this.bossGroup = transport.newGroup(1, "sluice-accept");
    this.workerGroup = transport.newGroup(snapshot.config().server().eventLoops(), "sluice-io");
    this.resolver = HostResolver.create(snapshot.config().server().dns());
    this.connector = new UpstreamConnector(transport.socketChannelType(), resolver);
    this.state = new ServerState(snapshot, accessLog, connector, meters);
    state.startSampling();
    snapshot.startHealthChecks(workerGroup, connector);
  }

  /**
   * Compiles {@code config} with the plugins of {@code registry}, binds every listener and
   * returns once all accept connections.
   *
   * @throws ConfigException when a plugin instance cannot be created
   * @throws SSLException when a listener's certificate or key cannot be loaded (changed since the config was read)
   */
  public static GatewayServer start(GatewayConfig config, PluginRegistry registry, AccessLog accessLog)
      throws InterruptedException, ConfigException, SSLException {
    // Prometheus: what the admin listener's GET /metrics scrapes
    MeterRegistry meters = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    io.micrometer.core.instrument.FunctionCounter.builder("sluice.access_log.dropped", accessLog, AccessLog::dropped)
        .description("Access-log lines dropped because the writer fell behind").register(meters);
    GatewaySnapshot snapshot = GatewaySnapshot.compile(config, registry, meters);
    GatewayServer server = new GatewayServer(snapshot, registry, accessLog, Transport.select(config.server().transport()),
        meters, RuntimeMetrics.bind(meters));
    try {
      synchronized (server) {
        for (ListenerConfig listener : config.server().listeners()) {
          server.listening.put(listener.name(), server.bind(listener, config));
        }
      }
    } catch (RuntimeException | InterruptedException | SSLException e) {
      server.drainAndStop(Duration.ZERO);
      throw e;
    }
    return server;
  }

  private Listening bind(ListenerConfig listener, GatewayConfig config) throws InterruptedException, SSLException {
    TlsContexts tls = tlsContexts(listener, config);
    ClientChannelInitializer initializer = new ClientChannelInitializer(state, listener.name(), tls, listener.protocols(),
        listener.headersWithUnderscores());
    state.connectionMetrics().listenerBound(listener.name());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(transport.serverChannelType())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(initializer);
    ChannelFuture bound = bootstrap.bind(listener.bind(), listener.port()).await();
    if (!bound.isSuccess()) {
      // sync() would rethrow the native bind error as is: a checked exception the caller cannot name
      throw new IllegalStateException("listener '" + listener.name() + "' cannot listen on " + listener.bind() + ":"
          + listener.port() + ": " + bound.cause().getMessage(), bound.cause());
    }
    Channel channel = bound.channel();
    InetSocketAddress address = (InetSocketAddress) channel.localAddress();
    LOG.log(System.Logger.Level.INFO, "listener ''{0}'' accepting {1} on {2}:{3,number,#} ({4})",
        listener.name(), String.join(", ", listener.protocols()) + (tls == null ? "" : " over TLS, " + tls.providerName()),
        address.getHostString(), address.getPort(), transport.name());
    return new Listening(listener, channel, initializer, new BoundListener(listener.name(), address, listener.scheme()));
  }

  private TlsContexts tlsContexts(ListenerConfig listener, GatewayConfig config) throws SSLException {
    return listener.tls() == null ? null
        : TlsContexts.build(listener.name(), listener.tls(), ClientChannelInitializer.alpnProtocols(listener.protocols()),
            config.server().limits().requestHeaderTimeout(), state.meters());
  }

  /**
   * Replaces the running config with {@code config} (a reload), or changes nothing and throws.
   * The new snapshot is compiled on the calling thread (not an event loop): plugin entries and
   * upstreams whose config did not change carry their instances and state over. Listeners the
   * new config adds are bound and those it removes close (connections they accepted are served
   * to their end); a listener whose settings changed is closed and bound again; a TLS listener
   * that did not change reads its certificate and key files again for new connections. Then the
   * snapshot is published; exchanges in flight finish on the one they started with, whose
   * replaced plugin instances are closed once its last exchange has ended.
   *
   * <p>Settings the event loops were built with ({@code event_loops}, {@code transport},
   * {@code dns}) and the admin listener keep their running values until a restart; each one that
   * differs is named in the returned list.
   *
   * @return settings that changed but take effect only on restart
   * @throws ConfigException when a plugin instance cannot be created or a listener cannot be bound
   */
  public synchronized List<String> reload(GatewayConfig config) throws ConfigException, InterruptedException {
    if (stopped) {
      throw new IllegalStateException("the gateway is stopping");
    }
    GatewaySnapshot current = state.snapshot();
    GatewaySnapshot next = GatewaySnapshot.compile(config, registry, state.meters(), current);
    try {
      swapListeners(config);
    } catch (ConfigException e) {
      next.plugins().closeAllBut(current.plugins());
      throw e;
    }
    publish(next);
    return restartOnly(current.config().server(), config.server());
  }

  private void swapListeners(GatewayConfig config) throws ConfigException, InterruptedException {
    Map<String, ListenerConfig> wanted = new LinkedHashMap<>();
    config.server().listeners().forEach(listener -> wanted.put(listener.name(), listener));
    Map<String, TlsContexts> reread = new HashMap<>();
    List<Listening> added = new ArrayList<>();
    List<Listening> replaced = new ArrayList<>();
    try {
      for (ListenerConfig listener : wanted.values()) {
        Listening running = listening.get(listener.name());
        if (running != null && running.config().equals(listener)) {
          if (listener.tls() != null) {
            reread.put(listener.name(), tlsContexts(listener, config));
          }
          continue;
        }
        if (running != null) {
          // the same name with other settings: its port is the old one's until that closes
          running.channel().close().syncUninterruptibly();
          replaced.add(running);
        }
        added.add(bind(listener, config));
      }
    } catch (RuntimeException | SSLException e) {
      added.forEach(listener -> listener.channel().close().syncUninterruptibly());
      rebind(replaced, config);
      // not a mistake of the text: the position is the file's, the message names the listener
      throw new ConfigException(List.of(new io.sluice.config.ConfigProblem(
          new io.sluice.config.SourcePosition(config.source(), 1, 1), "server.listeners",
          "the new config was not applied: " + e.getMessage())));
    }
    reread.forEach((name, contexts) -> listening.get(name).initializer().replaceTls(contexts));
    for (Listening running : List.copyOf(listening.values())) {
      if (!wanted.containsKey(running.config().name())) {
        running.channel().close().syncUninterruptibly();
        listening.remove(running.config().name());
        LOG.log(System.Logger.Level.INFO, "listener ''{0}'' closed: no longer in the config", running.config().name());
      }
    }
    Map<String, Listening> ordered = new LinkedHashMap<>();
    for (String name : wanted.keySet()) {
      Listening now = added.stream().filter(l -> l.config().name().equals(name)).findFirst().orElse(listening.get(name));
      ordered.put(name, now);
    }
    listening.clear();
    listening.putAll(ordered);
  }

  /** Binds listeners a failed reload closed again, with their running config. */
  private void rebind(List<Listening> closed, GatewayConfig config) throws InterruptedException {
    for (Listening old : closed) {
      try {
        listening.put(old.config().name(), bind(old.config(), state.snapshot().config()));
      } catch (RuntimeException | SSLException e) {
        listening.remove(old.config().name());
        LOG.log(System.Logger.Level.ERROR, "listener ''{0}'' could not be bound again after a failed reload: {1}",
            old.config().name(), e.getMessage());
      }
    }
  }

  private static List<String> restartOnly(io.sluice.config.ServerConfig running, io.sluice.config.ServerConfig next) {
    List<String> changed = new ArrayList<>();
    if (running.eventLoops() != next.eventLoops()) {
      changed.add("server.event_loops");
    }
    if (running.transport() != next.transport()) {
      changed.add("server.transport");
    }
    if (!running.dns().equals(next.dns())) {
      changed.add("server.dns");
    }
    if (!running.admin().equals(next.admin())) {
      changed.add("server.admin");
    }
    if (!running.accessLog().equals(next.accessLog())) {
      changed.add("server.access_log");
    }
    return changed;
  }

  /**
   * An in-memory HTTP/1.1 connection serving {@code snapshot}, for benchmarks and tests that
   * measure the request path without sockets: write request bytes inbound, read response bytes
   * outbound. Routes that forward need a real server; direct responses and plugin answers work.
   */
  public static io.netty.channel.embedded.EmbeddedChannel embeddedConnection(GatewaySnapshot snapshot, AccessLog accessLog) {
    ServerState state = new ServerState(snapshot, accessLog, new UpstreamConnector(Transport.nio().socketChannelType(), null),
        new SimpleMeterRegistry());
    return new io.netty.channel.embedded.EmbeddedChannel(new ClientChannelInitializer(state, "embedded", null, List.of("http1"),
        ListenerConfig.UnderscoreHeaders.DROP));
  }

  /** The socket implementation the event loops use: {@code io_uring}, {@code epoll} or {@code nio}. */
  public String transportName() {
    return transport.name();
  }

  public synchronized List<BoundListener> listeners() {
    return listening.values().stream().map(Listening::bound).toList();
  }

  /** The port listener {@code name} is bound to. */
  public synchronized int port(String name) {
    Listening listener = listening.get(name);
    if (listener == null) {
      throw new IllegalArgumentException("no listener named " + name);
    }
    return listener.bound().address().getPort();
  }

  /**
   * Publishes a compiled config: new exchanges use it, exchanges in flight finish with theirs. Its
   * health checks start (every endpoint healthy until they say otherwise) and those of the
   * snapshot it replaces stop.
   */
  public synchronized void publish(GatewaySnapshot snapshot) {
    snapshot.startHealthChecks(workerGroup, connector);
    GatewaySnapshot previous = state.publish(snapshot, retired -> retire(retired, snapshot));
    if (previous != snapshot) {
      previous.stopHealthChecksNotIn(snapshot);
    }
  }

  /**
   * Closes the plugin instances of a retired snapshot that its successor does not use itself, and
   * drops the meters of routes and upstreams no snapshot in use has any more; on a thread of its
   * own, since the last exchange may have ended on an event loop and close() may block.
   */
  private void retire(GatewaySnapshot retired, GatewaySnapshot successor) {
    Thread.ofPlatform().daemon().name("sluice-retire").start(() -> {
      retired.plugins().closeAllBut(successor.plugins());
      synchronized (this) { // no snapshot is published while the live ones are looked at
        state.retainLiveMeters();
      }
    });
  }

  /** The meters of this gateway (per-plugin timers, shadow-mode counters). */
  public MeterRegistry meters() {
    return state.meters();
  }

  /**
   * Starts the GC meters, which cost the JDK work after every collection: called by whatever exposes
   * {@link #meters} (the admin listener), so that a gateway without one does not pay for them.
   */
  public void exposeGcMeters() {
    runtimeMetrics.listenForGcEvents();
  }

  /**
   * What the upstream connection pools hold, per endpoint, summed over the event loops: each loop
   * reports its own pools on itself, so nothing is read across threads.
   */
  public CompletableFuture<Map<Endpoint, PoolStats>> poolStats() {
    List<CompletableFuture<Map<Endpoint, PoolStats>>> perLoop = new ArrayList<>();
    for (EventExecutor loop : workerGroup) {
      CompletableFuture<Map<Endpoint, PoolStats>> stats = new CompletableFuture<>();
      try {
        loop.execute(() -> {
          UpstreamPools pools = state.poolsIfAny();
          stats.complete(pools == null ? Map.of() : pools.stats());
        });
      } catch (RejectedExecutionException e) {
        stats.complete(Map.of()); // the loop is shutting down
      }
      perLoop.add(stats);
    }
    return CompletableFuture.allOf(perLoop.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<Endpoint, PoolStats> all = new HashMap<>();
      perLoop.forEach(one -> one.join().forEach((endpoint, stats) -> all.merge(endpoint, stats, PoolStats::plus)));
      return all;
    });
  }

  /** The snapshot new exchanges start with. */
  public GatewaySnapshot snapshot() {
    return state.snapshot();
  }

  /** Whether a drain has started: the gateway is stopping and not ready for traffic. */
  public boolean draining() {
    return state.isDraining();
  }

  /** Exchanges in flight right now. */
  /** The memory-pressure level: {@code normal}, {@code stop_keep_alive} or {@code refuse} (see {@code server.overload}). */
  public String memoryPressure() {
    return state.memory().level().name().toLowerCase(java.util.Locale.ROOT);
  }

    public int activeExchanges() {
    return state.activeExchanges();
  }

  /** Client connections open right now, from the moment a listener accepted them. */
  public int openConnections() {
    return state.clientConnections().size();
  }

  /**
   * Stops accepting, then serves every connection the listeners accepted until it closes or
   * {@code grace} runs out: idle keep-alive connections close at once, requests in flight finish,
   * and a connection accepted before the listener closed still has its first request served
   * (responses carry {@code Connection: close}; HTTP/2 clients get GOAWAY). Then everything left
   * is closed and the event loops stop; they stop last, because until then any exchange may still
   * need them to connect upstream.
   */
  public synchronized void drainAndStop(Duration grace) {
    if (stopped) {
      return;
    }
    stopped = true;
    state.startDraining();
    for (Listening listener : listening.values()) {
      listener.channel().close().syncUninterruptibly();
    }
    awaitRegistrations();
    state.clientConnections().forEach(channel -> channel.pipeline().fireUserEventTriggered(DRAIN));
    long deadline = System.nanoTime() + grace.toNanos();
    while (!state.clientConnections().isEmpty() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (state.activeExchanges() > 0) {
      LOG.log(System.Logger.Level.WARNING, "{0} exchanges still in flight after the drain period; closing them",
          state.activeExchanges());
    }
    state.snapshot().stopHealthChecks();
    state.clientConnections().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    resolver.close();
    // A quiet period, so the loops close the channels still registered (pooled upstream connections,
    // health probes) and then see the completions of their cancelled io_uring reads, which release the
    // read buffers; with none a loop could end first and those buffers would never be returned.
    stopLoops(workerGroup, "sluice-io");
    stopLoops(bossGroup, "sluice-accept");
    state.snapshot().plugins().close();
    runtimeMetrics.close();
    state.stopSampling();
  }

  /**
   * Shuts a group down and waits for it, but not forever: an io_uring loop waits in
   * {@code prepareToDestroy} for the completions of the operations it cancelled, and one that never
   * comes would otherwise keep a stopping gateway (and its caller) waiting for good.
   */
  private static void stopLoops(EventLoopGroup group, String name) {
    boolean stopped = group.shutdownGracefully(QUIET_PERIOD_MILLIS, 2000, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(LOOP_STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    if (!stopped) {
      LOG.log(System.Logger.Level.WARNING, "event loops {0} did not stop within {1} ms; going on without them",
          name, LOOP_STOP_WAIT_MILLIS);
    }
  }

  /**
   * Waits until every connection the closed listeners accepted is registered with its event loop,
   * and so counted among the client connections: the accepting loop hands each to its loop as a
   * task, so a task queued on every loop after the listeners closed runs after all of them.
   */
  private void awaitRegistrations() {
    for (EventExecutor loop : workerGroup) {
      try {
        loop.submit(() -> { }).awaitUninterruptibly(5, TimeUnit.SECONDS);
      } catch (RejectedExecutionException e) {
        // stopping already: nothing is registered on it any more
      }
    }
  }

  @Override
  public void close() {
    drainAndStop(Duration.ZERO);
  }
}
