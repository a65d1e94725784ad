package io.sluice.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.proxy.RequestHead;
import io.sluice.routing.PathParams;
import io.sluice.spi.Plugin;

/**
 * Built-in plugins as the gateway builds them from YAML (the registry, the config loader, a
 * snapshot), for the benchmarks that call a plugin's hooks directly, and the exchange views they
 * are called with.
 */
final class BuiltPlugins {

  private final GatewaySnapshot snapshot;

  private BuiltPlugins(GatewaySnapshot snapshot) {
    this.snapshot = snapshot;
  }

  /** Compiles {@code yaml}, a whole config, with every built-in plugin available. */
  static BuiltPlugins compile(String yaml) throws Exception {
    PluginRegistry registry = PluginRegistry.builtIn();
    GatewayConfig config = ConfigLoader.parse(yaml, "bench.yaml", name -> null, registry.catalog());
    return new BuiltPlugins(GatewaySnapshot.compile(config, registry, new SimpleMeterRegistry()));
  }

  /** The first plugin of route {@code routeId}'s chain. */
  Plugin first(String routeId) {
    return snapshot.plugins().forRoute(routeId).slots().get(0).plugin();
  }

  /**
   * A GET of {@code path} (and {@code query}, or {@code null}) on {@code routeId}, with {@code headers}
   * (a {@code Host} is added), its header view already made as the gateway makes it once per exchange.
   */
  static ExchangeView get(String path, String query, String routeId, HttpHeaders headers) {
    headers.set(HttpHeaderNames.HOST, "api.example.com");
    RequestHead head = new RequestHead(HttpMethod.GET, "http", "api.example.com", "api.example.com", path, query, headers,
        false, -1);
    ExchangeView view = new ExchangeView(head, "req-1", routeId, PathParams.EMPTY, "127.0.0.1");
    view.requestHeaders(); // not what is measured
    return view;
  }
}
