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
import io.sluice.proxy.AccessLog;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.upstream.HostResolver;
import io.sluice.upstream.UpstreamConnector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  static final Object DRAIN = new Object();

  private static final long QUIET_PERIOD_MILLIS = 100;
  private static final System.Logger LOG = System.getLogger(GatewayServer.class.getName());

  private final Transport transport;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final HostResolver resolver;
  private final UpstreamConnector connector;
  private final ServerState state;
  private final List<BoundListener> listeners = new ArrayList<>();
  private final List<Channel> serverChannels = new ArrayList<>();
  private boolean stopped;

  /** A listener that is accepting connections; {@code scheme} is {@code http} or {@code https}. */
  public record BoundListener(String name, InetSocketAddress address, String scheme) {}

  private GatewayServer(GatewaySnapshot snapshot, AccessLog accessLog, Transport transport, MeterRegistry meters) {
    this.transport = transport;
    this.bossGroup = transport.newGroup(1, "sluice-accept");
    this.workerGroup = transport.newGroup(snapshot.config().server().eventLoops(), "sluice-io");
    this.resolver = HostResolver.create(snapshot.config().server().dns());
    this.connector = new UpstreamConnector(transport.socketChannelType(), resolver);
    this.state = new ServerState(snapshot, accessLog, connector, meters);
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
    MeterRegistry meters = new SimpleMeterRegistry();
    GatewaySnapshot snapshot = GatewaySnapshot.compile(config, registry, meters);
    GatewayServer server = new GatewayServer(snapshot, accessLog, Transport.select(config.server().transport()), meters);
    try {
      for (ListenerConfig listener : config.server().listeners()) {
        server.bind(listener);
      }
    } catch (RuntimeException | InterruptedException | SSLException e) {
      server.drainAndStop(Duration.ZERO);
      throw e;
    }
    return server;
  }

  private void bind(ListenerConfig listener) throws InterruptedException, SSLException {
    TlsContexts tls = listener.tls() == null ? null
        : TlsContexts.build(listener.name(), listener.tls(), ClientChannelInitializer.alpnProtocols(listener.protocols()),
            state.snapshot().config().server().limits().requestHeaderTimeout(), state.meters());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(transport.serverChannelType())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ClientChannelInitializer(state, tls, listener.protocols(), listener.headersWithUnderscores()));
    ChannelFuture bound = bootstrap.bind(listener.bind(), listener.port()).await();
    if (!bound.isSuccess()) {
      // sync() would rethrow the native bind error as is: a checked exception the caller cannot name
      throw new IllegalStateException("listener '" + listener.name() + "' cannot listen on " + listener.bind() + ":"
          + listener.port() + ": " + bound.cause().getMessage(), bound.cause());
    }
    Channel channel = bound.channel();
    serverChannels.add(channel);
    InetSocketAddress address = (InetSocketAddress) channel.localAddress();
    listeners.add(new BoundListener(listener.name(), address, listener.scheme()));
    LOG.log(System.Logger.Level.INFO, "listener ''{0}'' accepting {1} on {2}:{3,number,#} ({4})",
        listener.name(), String.join(", ", listener.protocols()) + (tls == null ? "" : " over TLS, " + tls.providerName()),
        address.getHostString(), address.getPort(), transport.name());
  }

  /**
   * An in-memory HTTP/1.1 connection serving {@code snapshot}, for benchmarks and tests that
   * measure the request path without sockets: write request bytes inbound, read response bytes
   * outbound. Routes that forward need a real server; direct responses and plugin answers work.
   */
  public static io.netty.channel.embedded.EmbeddedChannel embeddedConnection(GatewaySnapshot snapshot, AccessLog accessLog) {
    ServerState state = new ServerState(snapshot, accessLog, new UpstreamConnector(Transport.nio().socketChannelType(), null),
        new SimpleMeterRegistry());
    return new io.netty.channel.embedded.EmbeddedChannel(new ClientChannelInitializer(state, null, List.of("http1"),
        ListenerConfig.UnderscoreHeaders.DROP));
  }

  /** The socket implementation the event loops use: {@code io_uring}, {@code epoll} or {@code nio}. */
  public String transportName() {
    return transport.name();
  }

  public List<BoundListener> listeners() {
    return List.copyOf(listeners);
  }

  /** The port listener {@code name} is bound to. */
  public int port(String name) {
    return listeners.stream().filter(l -> l.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener named " + name))
        .address().getPort();
  }

  /**
   * Publishes a compiled config: new exchanges use it, exchanges in flight finish with theirs. Its
   * health checks start (every endpoint healthy until they say otherwise) and those of the
   * snapshot it replaces stop.
   */
  public void publish(GatewaySnapshot snapshot) {
    snapshot.startHealthChecks(workerGroup, connector);
    GatewaySnapshot previous = state.publish(snapshot);
    if (previous != snapshot) {
      previous.stopHealthChecks();
    }
  }

  /** The meters of this gateway (per-plugin timers, shadow-mode counters). */
  public MeterRegistry meters() {
    return state.meters();
  }

  /** The snapshot new exchanges start with. */
  public GatewaySnapshot snapshot() {
    return state.snapshot();
  }

  /** Exchanges in flight right now. */
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
    for (Channel channel : serverChannels) {
      channel.close().syncUninterruptibly();
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
    workerGroup.shutdownGracefully(QUIET_PERIOD_MILLIS, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    bossGroup.shutdownGracefully(QUIET_PERIOD_MILLIS, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    state.snapshot().plugins().close();
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
