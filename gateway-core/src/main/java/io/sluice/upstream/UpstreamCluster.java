package io.sluice.upstream;

import io.netty.handler.ssl.SslContext;
import io.sluice.config.UpstreamConfig;
import javax.net.ssl.SSLException;

/**
 * An upstream of one config snapshot: its config, its balancer and the pool settings derived
 * from it (TLS context included), computed once.
 */
public final class UpstreamCluster {

  private final UpstreamConfig config;
  private final LoadBalancer balancer;
  private final UpstreamPool.Settings poolSettings;

  /**
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config) {
    this.config = config;
    this.balancer = LoadBalancer.of(config.loadBalancer(), config.endpoints());
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
        config.maxConnectionsPerEndpoint(), config.timeouts().connect(), config.timeouts().idle(), tls, serverName);
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
}
