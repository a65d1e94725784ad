package io.sluice.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import io.sluice.config.Cidr;
import io.sluice.config.ConfigException;
import io.sluice.config.GatewayConfig;
import io.sluice.metrics.RequestMetrics;
import io.sluice.plugin.PluginChains;
import io.sluice.plugin.PluginRegistry;
import io.sluice.routing.RouteTable;
import io.sluice.spi.Ticker;
import io.sluice.upstream.UpstreamCluster;
import io.sluice.upstream.UpstreamConnector;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything one config compiles into, immutable once built. The gateway publishes one
 * snapshot at a time through an atomic reference; each exchange keeps the snapshot it
 * started with, so a reload only has to swap the reference.
 *
 * <p>The upstreams' health checks are the one thing that runs: the server starts them when it
 * makes the snapshot current and stops them when another replaces it or the server stops. A
 * snapshot that is only compiled ({@code sluice validate}, tests) probes nothing.
 */
public final class GatewaySnapshot {

  private final GatewayConfig config;
  private final RouteTable routes;
  private final Map<String, UpstreamCluster> upstreams;
  private final List<Cidr> trustedProxies;
  private final PluginChains plugins;
  private final List<AsciiString> strippedRequestHeaders;
  private final Set<String> secretQueryParameters;
  /** Exchanges that started on this snapshot and have not ended. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile Runnable onRetired;
  private final AtomicBoolean retiredRan = new AtomicBoolean();

  private GatewaySnapshot(GatewayConfig config, PluginChains plugins, MeterRegistry meters, GatewaySnapshot previous) {
    this.config = config;
    this.plugins = plugins;
    this.routes = RouteTable.compile(config.routes());
    Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
    config.upstreams().forEach((name, upstream) -> {
      UpstreamCluster kept = previous == null ? null : previous.upstreams.get(name);
      // an unchanged upstream keeps its cluster: its health state, balancer position and running checker
      if (kept != null && kept.config().equals(upstream)) {
        clusters.put(name, kept);
        return;
      }
      UpstreamCluster cluster = new UpstreamCluster(upstream, RequestMetrics.connectTimes(meters, name),
          RequestMetrics.pendingOverflows(meters, name), meters);
      if (kept != null) {
        cluster.joinedAfter(kept);
      }
      clusters.put(name, cluster);
    });
    this.upstreams = Map.copyOf(clusters);
    this.trustedProxies = config.server().trustedProxies();
    Set<String> stripped = new LinkedHashSet<>(config.server().stripRequestHeaders());
    stripped.addAll(plugins.identityHeaders());
    this.strippedRequestHeaders = stripped.stream().map(AsciiString::cached).toList();
    Set<String> secrets = new java.util.HashSet<>(io.sluice.logging.QueryRedaction.ALWAYS);
    secrets.addAll(plugins.credentialQueryParameters());
    this.secretQueryParameters = Set.copyOf(secrets);
  }

  /**
   * Compiles a validated config: routes, upstreams, and a plugin instance per route that uses
   * one. A plugin that cannot be created is reported like a config mistake.
   */
  public static GatewaySnapshot compile(GatewayConfig config, PluginRegistry registry, MeterRegistry meters)
      throws ConfigException {
    return new GatewaySnapshot(config, PluginChains.compile(config, registry, meters, Ticker.SYSTEM), meters, null);
  }

  /**
   * Compiles a config that replaces {@code previous} (a reload): a plugin entry whose config did
   * not change at its place gets the old instance through {@code PluginContext.previous()}, and an
   * upstream whose config did not change is the same cluster, with its health state and checker.
   */
  public static GatewaySnapshot compile(GatewayConfig config, PluginRegistry registry, MeterRegistry meters,
      GatewaySnapshot previous) throws ConfigException {
    PluginChains chains = PluginChains.compile(config, registry, meters, Ticker.SYSTEM, previous.plugins);
    try {
      return new GatewaySnapshot(config, chains, meters, previous);
    } catch (RuntimeException e) {
      chains.closeAllBut(previous.plugins);
      throw e;
    }
  }

  /** Counts an exchange that starts on this snapshot; {@link #exchangeEnded} must follow. */
  public void exchangeStarted() {
    inFlight.incrementAndGet();
  }

  /** Counts the end of an exchange; the last one on a retired snapshot runs its retirement. */
  public void exchangeEnded() {
    if (inFlight.decrementAndGet() == 0 && onRetired != null) {
      runRetirement();
    }
  }

  /** Exchanges in flight on this snapshot. */
  public int exchangesInFlight() {
    return inFlight.get();
  }

  /**
   * Marks this snapshot replaced: {@code whenIdle} runs once, as soon as no exchange uses it any
   * more (now, if none does), on the thread that ended its last exchange; hand anything slow to
   * another thread.
   */
  public void retire(Runnable whenIdle) {
    onRetired = whenIdle;
    if (inFlight.get() == 0) {
      runRetirement();
    }
  }

  private void runRetirement() {
    if (retiredRan.compareAndSet(false, true)) {
      onRetired.run();
    }
  }

  /** The plugin chains of the routes. */
  public PluginChains plugins() {
    return plugins;
  }

  public GatewayConfig config() {
    return config;
  }

  public RouteTable routes() {
    return routes;
  }

  /** The upstream named {@code name}; config validation guarantees every route's upstream exists. */
  public UpstreamCluster upstream(String name) {
    return upstreams.get(name);
  }

  /** Starts the health checks of the upstreams that have them, each checker on one loop of {@code loops}. */
  public void startHealthChecks(EventLoopGroup loops, UpstreamConnector connector) {
    upstreams.values().forEach(upstream -> upstream.startHealthChecks(loops.next(), connector));
  }

  /**
   * Stops the health checks and waits (briefly) until no probe timer or connection is left, so
   * that nothing probes on behalf of a config that is gone. Not on an event loop: it waits for them.
   */
  public void stopHealthChecks() {
    stopHealthChecksNotIn(null);
  }

  /**
   * {@link #stopHealthChecks()} for the upstreams {@code next} does not carry over: those it
   * shares keep checking for it.
   */
  public void stopHealthChecksNotIn(GatewaySnapshot next) {
    List<Future<?>> stopping = upstreams.values().stream()
        .filter(upstream -> next == null || next.upstreams.get(upstream.name()) != upstream)
        .<Future<?>>map(UpstreamCluster::stopHealthChecks).toList();
    stopping.forEach(stopped -> stopped.awaitUninterruptibly(5, TimeUnit.SECONDS));
  }

  /** Every upstream, by name. */
  public Map<String, UpstreamCluster> upstreams() {
    return upstreams;
  }

  /**
   * The request headers no client may send, removed from every request before routing and
   * plugins: {@code server.strip_request_headers} and every configured plugin's identity headers.
   */
  public List<AsciiString> strippedRequestHeaders() {
    return strippedRequestHeaders;
  }

  /**
   * Query parameters whose values the access log replaces with {@code REDACTED}: {@code api_key} and
   * {@code access_token} always, and those configured plugins read credentials from.
   */
  public Set<String> secretQueryParameters() {
    return secretQueryParameters;
  }

  /** Whether {@code peer} is a trusted proxy whose forwarding headers are kept. */
  public boolean isTrustedProxy(InetAddress peer) {
    for (int i = 0; i < trustedProxies.size(); i++) {
      if (trustedProxies.get(i).contains(peer)) {
        return true;
      }
    }
    return false;
  }
}
