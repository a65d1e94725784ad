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
  /** Requests waiting for a connection, over all event loops; carried over a reload with the cluster. */
  private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
  private final Runnable overflows;

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
    this(config, connectTimes, () -> { });
  }

  /**
   * @param connectTimes told how long each connection to one of its endpoints took to open
   * @param overflows told of each request refused because {@code max_pending_requests} were waiting
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config, java.util.function.LongConsumer connectTimes, Runnable overflows) {
    this.config = config;
    this.overflows = overflows;
    HealthCheckConfig check = config.healthCheck();
    this.health = check == null ? EndpointHealth.unchecked(config.name(), config.endpoints())
        : new EndpointHealth(config.name(), config.endpoints(), check.healthyThreshold(), check.unhealthyThreshold());
    this.balancer = LoadBalancer.of(config, health, io.sluice.spi.Ticker.SYSTEM);
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

  /**
   * Counts a request that starts waiting for a connection (from the pool's acquire until it has one
   * or gave up), unless {@code max_pending_requests} already wait: then it is counted as an
   * overflow and false says to refuse it. Lock-free; any event loop.
   */
  public boolean startPending() {
    int max = config.maxPendingRequests();
    while (true) {
      int now = pending.get();
      if (now >= max) {
        overflows.run();
        return false;
      }
      if (pending.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Ends the wait counted by a {@link #startPending} that returned true. */
  public void endPending() {
    pending.decrementAndGet();
  }

  /** Requests waiting for a connection now. */
  public int pending() {
    return pending.get();
  }

  /**
   * Tells the balancer which endpoints a reload added to this upstream, compared with {@code previous}
   * (the cluster this one replaces): with {@code slow_start} they ramp up instead of taking a full share at once.
   */
  public void joinedAfter(UpstreamCluster previous) {
    if (balancer instanceof SlowStart slowStart) {
      java.util.List<io.sluice.config.Endpoint> added = new java.util.ArrayList<>(config.endpoints());
      added.removeAll(previous.config().endpoints());
      if (!added.isEmpty()) {
        slowStart.joined(added);
      }
    }
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
