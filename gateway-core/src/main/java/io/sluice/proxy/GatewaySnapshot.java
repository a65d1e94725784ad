package io.sluice.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import io.sluice.config.Cidr;
import io.sluice.config.ConfigException;
import io.sluice.config.GatewayConfig;
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

  private GatewaySnapshot(GatewayConfig config, PluginChains plugins) {
    this.config = config;
    this.plugins = plugins;
    this.routes = RouteTable.compile(config.routes());
    Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
    config.upstreams().forEach((name, upstream) -> clusters.put(name, new UpstreamCluster(upstream)));
    this.upstreams = Map.copyOf(clusters);
    this.trustedProxies = config.server().trustedProxies();
    Set<String> stripped = new LinkedHashSet<>(config.server().stripRequestHeaders());
    stripped.addAll(plugins.identityHeaders());
    this.strippedRequestHeaders = stripped.stream().map(AsciiString::cached).toList();
  }

  /**
   * Compiles a validated config: routes, upstreams, and a plugin instance per route that uses
   * one. A plugin that cannot be created is reported like a config mistake.
   */
  public static GatewaySnapshot compile(GatewayConfig config, PluginRegistry registry, MeterRegistry meters)
      throws ConfigException {
    return new GatewaySnapshot(config, PluginChains.compile(config, registry, meters, Ticker.SYSTEM));
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
    List<Future<?>> stopping = upstreams.values().stream().<Future<?>>map(UpstreamCluster::stopHealthChecks).toList();
    stopping.forEach(stopped -> stopped.awaitUninterruptibly(5, TimeUnit.SECONDS));
  }

  /**
   * The request headers no client may send, removed from every request before routing and
   * plugins: {@code server.strip_request_headers} and every configured plugin's identity headers.
   */
  public List<AsciiString> strippedRequestHeaders() {
    return strippedRequestHeaders;
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
