package io.sluice.spi;

/**
 * When a plugin runs, relative to others. The chain of a route runs phases in this order;
 * within a phase, higher {@link PluginFactory#priority()} first, then the order in the YAML
 * (global plugins before the route's own).
 */
public enum Phase {
  /** Answers that need nothing from the caller's identity: CORS preflights, IP allow-lists. */
  EDGE,
  /** Establishing who the caller is: JWT, API keys. */
  AUTHENTICATION,
  /** Deciding whether the caller may do this: RBAC. */
  AUTHORIZATION,
  /** Protecting upstreams: rate limits, circuit breakers. */
  TRAFFIC,
  /** Changing the request or response: header rewrites, caching. The default. */
  TRANSFORM,
  /** Watching without changing: logging, metrics. */
  OBSERVE
}
