package io.sluice.config;

import java.util.List;

/**
 * A named group of endpoints that routes forward to.
 *
 * @param name the key under {@code upstreams:}
 * @param endpoints at least one endpoint
 * @param loadBalancer how an endpoint is picked per request
 * @param timeouts connect, response-header and idle timeouts
 * @param maxConnectionsPerEndpoint cap on connections to one endpoint from one event loop
 */
public record UpstreamConfig(
    String name,
    List<Endpoint> endpoints,
    LoadBalancing loadBalancer,
    UpstreamTimeouts timeouts,
    int maxConnectionsPerEndpoint) {

  public UpstreamConfig {
    endpoints = List.copyOf(endpoints);
  }

  /** How an endpoint is chosen. */
  public enum LoadBalancing {
    /** Each endpoint in turn. */
    ROUND_ROBIN,
    /** Power of two choices: of two random endpoints, the one with fewer requests in flight. */
    LEAST_REQUEST
  }
}
