package io.sluice.upstream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.sluice.config.Endpoint;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.UpstreamConfig;
import javax.net.ssl.SSLException;

/**
 * An upstream of one config snapshot: its config, its balancer and the pool settings derived
 * from it (TLS context included), computed once; and, when configured, the health checker that
 * keeps failing endpoints away from the balancer while the snapshot is current, the outlier
 * detector that ejects endpoints failing requests, and the retry budget shared by the routes
 * that retry requests to it.
 */
public final class UpstreamCluster {

  private final UpstreamConfig config;
  private final EndpointHealth health;
  private final LoadBalancer balancer;
  private final UpstreamPool.Settings poolSettings;
  private final HealthChecker checker; // null without health_check
  private final OutlierDetector outliers; // null without outlier_detection
  private final RetryBudget retryBudget;
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
    this(config, connectTimes, () -> { }, null);
  }

  /**
   * @param connectTimes told how long each connection to one of its endpoints took to open
   * @param overflows told of each request refused because {@code max_pending_requests} were waiting
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config, java.util.function.LongConsumer connectTimes, Runnable overflows) {
    this(config, connectTimes, overflows, null);
  }

  /**
   * @param connectTimes told how long each connection to one of its endpoints took to open
   * @param meters where the ejection and retry meters go; {@code null} for none
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config, java.util.function.LongConsumer connectTimes, MeterRegistry meters) {
    this(config, connectTimes, () -> { }, meters);
  }

  /**
   * @param connectTimes told how long each connection to one of its endpoints took to open
   * @param overflows told of each request refused because {@code max_pending_requests} were waiting
   * @param meters where the ejection and retry meters go; {@code null} for none
   * @throws IllegalStateException when the TLS files checked at load time can no longer be read
   */
  public UpstreamCluster(UpstreamConfig config, java.util.function.LongConsumer connectTimes, Runnable overflows,
      MeterRegistry meters) {
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
    this.outliers = config.outlierDetection() == null ? null
        : new OutlierDetector(config.name(), config.outlierDetection(), health, meters);
    this.retryBudget = new RetryBudget(config.name(),
        config.retryBudget() == null ? io.sluice.config.RetryBudgetConfig.DEFAULTS : config.retryBudget(), meters);
    if (meters != null) {
      replaceGauge(meters, "sluice.upstream.endpoints.healthy", "Endpoints of the upstream its health checks count healthy"
          + " now (all of them without health_check)", health, h -> h.healthy().size());
    }
    if (meters != null && outliers != null) {
      replaceGauge(meters, "sluice.upstream.endpoints.ejected", "Endpoints of the upstream ejected by outlier detection now",
          outliers, OutlierDetector::ejectedCount);
    }
  }

  /** A changed upstream gets a new cluster under the same name: its gauges must read the new cluster's state. */
  private <T> void replaceGauge(MeterRegistry meters, String name, String description, T state,
      java.util.function.ToDoubleFunction<T> value) {
    Meter old = meters.find(name).tag("upstream", config.name()).gauge();
    if (old != null) {
      meters.remove(old);
    }
    Gauge.builder(name, state, value).description(description).tag("upstream", config.name()).strongReference(true)
        .register(meters);
  }

  /** The outlier detector, or {@code null} when the upstream has no {@code outlier_detection}. */
  public OutlierDetector outliers() {
    return outliers;
  }

  /** The budget that bounds retries of requests to this upstream. */
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /**
   * An endpoint for a retry after {@code failed} failed: a random other one of those available,
   * {@code failed} only when it is the only one. Random rather than the balancer's next: a retry
   * must not move a round-robin position, or the failing endpoint would get every first attempt.
   */
  public Endpoint pickOther(Endpoint failed) {
    Endpoint[] available = health.available();
    int at = -1;
    for (int i = 0; i < available.length; i++) {
      if (available[i].equals(failed)) {
        at = i;
        break;
      }
    }
    int others = at < 0 ? available.length : available.length - 1;
    if (others == 0) {
      return failed;
    }
    int pick = java.util.concurrent.ThreadLocalRandom.current().nextInt(others);
    return available[at >= 0 && pick >= at ? pick + 1 : pick];
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

  /**
   * Starts the health checks, if the upstream has any, and the outlier detector's judging, if it
   * has one, on {@code loop}; at most once.
   */
  public void startHealthChecks(EventLoop loop, UpstreamConnector connector) {
    if (checker != null) {
      checker.start(loop, connector);
    }
    if (outliers != null) {
      outliers.start(loop);
    }
  }

  /** Stops the health checks; the future completes when no timer or probe connection is left. */
  public Future<?> stopHealthChecks() {
    if (outliers != null) {
      outliers.close();
    }
    return checker == null ? ImmediateEventExecutor.INSTANCE.newSucceededFuture(null) : checker.close();
  }
}
