package io.sluice.upstream;

import io.sluice.config.UpstreamConfig;

/**
 * An upstream of one config snapshot: its config, its balancer and the pool settings derived
 * from it, computed once.
 */
public final class UpstreamCluster {

  private final UpstreamConfig config;
  private final LoadBalancer balancer;
  private final ConnectionPool.Settings poolSettings;

  public UpstreamCluster(UpstreamConfig config) {
    this.config = config;
    this.balancer = LoadBalancer.of(config.loadBalancer(), config.endpoints());
    this.poolSettings = new ConnectionPool.Settings(
        config.maxConnectionsPerEndpoint(), config.timeouts().connect(), config.timeouts().idle());
  }

  public UpstreamConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  public LoadBalancer balancer() {
    return balancer;
  }

  public ConnectionPool.Settings poolSettings() {
    return poolSettings;
  }
}
