package io.sluice.config;

import io.sluice.spi.RedisSettings;
import java.util.List;
import java.util.Map;

/**
 * A whole, validated gateway config: what one {@code sluice.yaml} describes.
 *
 * @param source the file it was read from (for messages), e.g. {@code conf/sluice.yaml}
 * @param server listeners, limits and server-wide settings
 * @param upstreams upstreams by name, in document order
 * @param routes routes in document order
 * @param plugins the global plugin chain, merged under every route's own
 * @param pluginDirs folders (besides the distribution's {@code plugins/}) to load plugin jars from
 * @param redis the top-level {@code redis:} section, or {@code null} when there is none
 * @param logging the gateway's own log
 */
public record GatewayConfig(
    String source,
    ServerConfig server,
    Map<String, UpstreamConfig> upstreams,
    List<RouteConfig> routes,
    List<PluginUse> plugins,
    List<String> pluginDirs,
    RedisSettings redis,
    LoggingConfig logging) {

  public GatewayConfig {
    upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
    routes = List.copyOf(routes);
    plugins = List.copyOf(plugins);
    pluginDirs = List.copyOf(pluginDirs);
  }

  /** A config with the default {@code logging:}. */
  public GatewayConfig(String source, ServerConfig server, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes,
      List<PluginUse> plugins, List<String> pluginDirs, RedisSettings redis) {
    this(source, server, upstreams, routes, plugins, pluginDirs, redis, LoggingConfig.DEFAULTS);
  }

  /** A config without a {@code redis:} section. */
  public GatewayConfig(String source, ServerConfig server, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes,
      List<PluginUse> plugins, List<String> pluginDirs) {
    this(source, server, upstreams, routes, plugins, pluginDirs, null);
  }

  /** A config without plugins. */
  public GatewayConfig(String source, ServerConfig server, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes) {
    this(source, server, upstreams, routes, List.of(), List.of());
  }
}
