package io.sluice.upstream;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.UpstreamConfig;
import javax.net.ssl.SSLException;

/**
 * An upstream of one config snapshot: its config, its balancer and the pool settings derived
 * from it (TLS context included), computed once; and, when configured, the health checker that
 * keeps failing endpoints away from the balancer while the snapshot is current.
 */
public final class UpstreamCluster {

  private final UpstreamConfig config;
  private final EndpointHealth health;
  private final LoadBalancer balancer;
  private final UpstreamPool.Settings poolSettings;
  private final HealthChecker checker; // null without health_check

  /**
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config) {
    this(config, nanos -> { });
  }

  /**
   * @param connectTimes told how long each connection to one of its endpoints took to open
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config, java.util.function.LongConsumer connectTimes) {
    this.config = config;
    HealthCheckConfig check = config.healthCheck();
    this.health = check == null ? EndpointHealth.unchecked(config.name(), config.endpoints())
        : new EndpointHealth(config.name(), config.endpoints(), check.healthyThreshold(), check.unhealthyThreshold());
    this.balancer = LoadBalancer.of(config.loadBalancer(), health);
    SslContext tls = null;
    String serverName = null;
    if (config.tls() != null) {
      serverName = config.tls().serverName();
      try {
        tls = UpstreamTls.context(config.tls(), config.protocol());
      } catch (SSLException e) {
        throw new IllegalStateException("upstream '" + config.name() + "': TLS setup failed: " + e.getMessage(), e);
      }
    }
    this.poolSettings = new UpstreamPool.Settings(
        config.maxConnectionsPerEndpoint(), config.timeouts().connect(), config.timeouts().idle(), tls, serverName,
        connectTimes);
    this.checker = check == null ? null : new HealthChecker(config, health, poolSettings);
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

  /** Whether requests go to this upstream as HTTP/2 streams. */
  public boolean isHttp2() {
    return config.protocol().isHttp2();
  }

  public UpstreamPool.Settings poolSettings() {
    return poolSettings;
  }

  /** The endpoints' health as the checks last saw it; all healthy, always, without health_check. */
  public EndpointHealth health() {
    return health;
  }

  /** Starts the health checks, if the upstream has any, on {@code loop}; at most once. */
  public void startHealthChecks(EventLoop loop, UpstreamConnector connector) {
    if (checker != null) {
      checker.start(loop, connector);
    }
  }

  /** Stops the health checks; the future completes when no timer or probe connection is left. */
  public Future<?> stopHealthChecks() {
    return checker == null ? ImmediateEventExecutor.INSTANCE.newSucceededFuture(null) : checker.close();
  }
}
