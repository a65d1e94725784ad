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
 * @param protocol how requests travel to the endpoints
 * @param tls TLS settings for {@code https://} endpoints; {@code null} when the endpoints are {@code http://}
 * @param healthCheck active health checking of the endpoints; {@code null} for none (every endpoint
 *     is then always a candidate)
 * @param maxPendingRequests cap on requests of this upstream waiting for a connection (or an HTTP/2
 *     stream) at one time, over all event loops; one more is answered 503 {@code UPSTREAM_OVERLOADED} at once
 */
public record UpstreamConfig(
    String name,
    List<Endpoint> endpoints,
    LoadBalancing loadBalancer,
    UpstreamTimeouts timeouts,
    int maxConnectionsPerEndpoint,
    Protocol protocol,
    UpstreamTlsConfig tls,
    HealthCheckConfig healthCheck,
    int maxPendingRequests) {

  /** Envoy's default too: enough for a burst, not enough to hide an upstream that stopped keeping up. */
  public static final int MAX_PENDING_REQUESTS_DEFAULT = 1024;

  public UpstreamConfig {
    endpoints = List.copyOf(endpoints);
  }

  /** An upstream with the default cap on pending requests. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancer, UpstreamTimeouts timeouts,
      int maxConnectionsPerEndpoint, Protocol protocol, UpstreamTlsConfig tls, HealthCheckConfig healthCheck) {
    this(name, endpoints, loadBalancer, timeouts, maxConnectionsPerEndpoint, protocol, tls, healthCheck,
        MAX_PENDING_REQUESTS_DEFAULT);
  }

  /** A cleartext HTTP/1.1 upstream. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancer, UpstreamTimeouts timeouts,
      int maxConnectionsPerEndpoint) {
    this(name, endpoints, loadBalancer, timeouts, maxConnectionsPerEndpoint, Protocol.HTTP1, null, null);
  }

  /** The protocol spoken to an upstream's endpoints. */
  public enum Protocol {
    /** HTTP/1.1, one request at a time per connection; over TLS for {@code https://} endpoints. */
    HTTP1,
    /** Cleartext HTTP/2 with prior knowledge: many requests share a connection as streams. */
    H2C,
    /** HTTP/2 over TLS, agreed with ALPN. */
    H2;

    /** Whether requests are multiplexed as HTTP/2 streams. */
    public boolean isHttp2() {
      return this != HTTP1;
    }
  }

  /** How an endpoint is chosen. */
  public enum LoadBalancing {
    /** Each endpoint in turn. */
    ROUND_ROBIN,
    /** Power of two choices: of two random endpoints, the one with fewer requests in flight. */
    LEAST_REQUEST
  }
}
