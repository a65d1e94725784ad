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
 * @param outlierDetection passive ejection of endpoints that fail requests; {@code null} for none
 * @param retryBudget how many retries of routes' requests may be in flight to the upstream at once
 * @param maxPendingRequests cap on requests of this upstream waiting for a connection (or an HTTP/2
 *     stream) at one time, over all event loops; one more is answered 503 {@code UPSTREAM_OVERLOADED} at once
 * @param hashOn the request key a hashing balancer ({@code ring_hash}) hashes; {@code null} for other balancers
 * @param endpointWeights weights of endpoints written with one other than 1; empty when all weigh 1
 * @param slowStart how long an endpoint that joins (or comes back) takes to get its full share of
 *     requests; {@link java.time.Duration#ZERO} for at once
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
    OutlierDetectionConfig outlierDetection,
    RetryBudgetConfig retryBudget,
    int maxPendingRequests,
    HashOn hashOn,
    java.util.Map<Endpoint, Integer> endpointWeights,
    java.time.Duration slowStart) {

  /** Envoy's default too: enough for a burst, not enough to hide an upstream that stopped keeping up. */
  public static final int MAX_PENDING_REQUESTS_DEFAULT = 1024;

  public UpstreamConfig {
    endpoints = List.copyOf(endpoints);
    endpointWeights = java.util.Map.copyOf(endpointWeights);
  }

  /** An upstream without outlier detection, with the default retry budget, and with these traffic settings. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancer, UpstreamTimeouts timeouts,
      int maxConnectionsPerEndpoint, Protocol protocol, UpstreamTlsConfig tls, HealthCheckConfig healthCheck,
      int maxPendingRequests, HashOn hashOn, java.util.Map<Endpoint, Integer> endpointWeights, java.time.Duration slowStart) {
    this(name, endpoints, loadBalancer, timeouts, maxConnectionsPerEndpoint, protocol, tls, healthCheck, null,
        RetryBudgetConfig.DEFAULTS, maxPendingRequests, hashOn, endpointWeights, slowStart);
  }

  /** An upstream with these resilience settings, and without hashing, endpoint weights or slow start. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancer, UpstreamTimeouts timeouts,
      int maxConnectionsPerEndpoint, Protocol protocol, UpstreamTlsConfig tls, HealthCheckConfig healthCheck,
      OutlierDetectionConfig outlierDetection, RetryBudgetConfig retryBudget) {
    this(name, endpoints, loadBalancer, timeouts, maxConnectionsPerEndpoint, protocol, tls, healthCheck, outlierDetection,
        retryBudget, MAX_PENDING_REQUESTS_DEFAULT, null, java.util.Map.of(), java.time.Duration.ZERO);
  }

  /** An upstream without outlier detection, hashing, endpoint weights or slow start. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancer, UpstreamTimeouts timeouts,
      int maxConnectionsPerEndpoint, Protocol protocol, UpstreamTlsConfig tls, HealthCheckConfig healthCheck,
      int maxPendingRequests) {
    this(name, endpoints, loadBalancer, timeouts, maxConnectionsPerEndpoint, protocol, tls, healthCheck, maxPendingRequests,
        null, java.util.Map.of(), java.time.Duration.ZERO);
  }

  /** The weight of {@code endpoint}: 1 unless written otherwise. */
  public int weight(Endpoint endpoint) {
    return endpointWeights.getOrDefault(endpoint, 1);
  }

  /** An upstream with the defaults for everything after {@code healthCheck}. */
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
    LEAST_REQUEST,
    /**
     * Consistent hashing on a ring: requests with the same {@code hash_on} key go to the same
     * endpoint, and an endpoint that leaves moves only its own keys.
     */
    RING_HASH
  }
}
