package io.sluice.config;

import java.util.List;
import java.util.Map;

/**
 * A whole, validated gateway config: what one {@code sluice.yaml} describes.
 *
 * @param source the file it was read from (for messages), e.g. {@code conf/sluice.yaml}
 * @param server listeners, limits and server-wide settings
 * @param upstreams upstreams by name, in document order
 * @param routes routes in document order
 */
public record GatewayConfig(
    String source, ServerConfig server, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes) {

  public GatewayConfig {
    upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
    routes = List.copyOf(routes);
  }
}
