package io.sluice.upstream;

import io.sluice.config.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The health of one upstream's endpoints, and the endpoints its balancer picks from. Probe results
 * arrive on the checker's event loop only, so the counting needs no lock; what request threads
 * read is {@link #available()}, an immutable array replaced through a volatile field on each
 * change, so a pick costs one volatile read.
 *
 * <p>Every endpoint starts healthy, so a new config serves at once instead of refusing traffic
 * until the first probes come back; an endpoint that is down is taken out after
 * {@code unhealthy_threshold} failed probes. When no endpoint is healthy, all of them are
 * available (fail open, like Envoy's panic threshold): a request to an endpoint that may be down
 * beats refusing every request because the checks themselves may be what is broken.
 *
 * <p>An {@link OutlierDetector} may also eject endpoints that fail requests; it runs on the same
 * loop. An ejected endpoint is not available even when healthy; when every healthy endpoint is
 * ejected, the healthy ones are available anyway (the detector's cap normally prevents that).
 */
public final class EndpointHealth {

  private static final System.Logger LOG = System.getLogger(EndpointHealth.class.getName());

  private final String upstream;
  private final Endpoint[] endpoints;
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  // checker loop only
  private final boolean[] healthy;
  private final int[] streak; // results in a row that disagree with the endpoint's state
  private final boolean[] ejected;
  // read anywhere
  private volatile Endpoint[] healthyNow;
  private volatile Endpoint[] available;

  /**
   * @param healthyThreshold passed probes in a row that make an unhealthy endpoint healthy
   * @param unhealthyThreshold failed probes in a row that make a healthy endpoint unhealthy
   */
  public EndpointHealth(String upstream, List<Endpoint> endpoints, int healthyThreshold, int unhealthyThreshold) {
    this.upstream = upstream;
    this.endpoints = endpoints.toArray(Endpoint[]::new);
    this.healthyThreshold = healthyThreshold;
    this.unhealthyThreshold = unhealthyThreshold;
    this.healthy = new boolean[this.endpoints.length];
    Arrays.fill(healthy, true);
    this.streak = new int[this.endpoints.length];
    this.ejected = new boolean[this.endpoints.length];
    this.healthyNow = this.endpoints;
    this.available = this.endpoints;
  }

  /** Health that no checker updates: every endpoint is always available. */
  static EndpointHealth unchecked(String upstream, List<Endpoint> endpoints) {
    return new EndpointHealth(upstream, endpoints, 1, 1);
  }

  /** The endpoints to balance over: the healthy ones, or all when none is. Never empty; do not modify. */
  Endpoint[] available() {
    return available;
  }

  /** The endpoints judged healthy now, in config order; empty when all failed. */
  public List<Endpoint> healthy() {
    return List.of(healthyNow);
  }

  /** Whether no endpoint is healthy, so that requests go to all of them. */
  public boolean isFailingOpen() {
    return healthyNow.length == 0;
  }

  /** The endpoints, in config order; {@link #record} takes an index into it. */
  List<Endpoint> endpoints() {
    return List.of(endpoints);
  }

  /**
   * One probe's result for endpoint {@code index}; {@code failure} says why it failed, {@code null}
   * when it passed. Called on the checker's event loop.
   */
  void record(int index, String failure) {
    boolean passed = failure == null;
    if (passed == healthy[index]) {
      streak[index] = 0;
      return;
    }
    streak[index]++;
    int threshold = passed ? healthyThreshold : unhealthyThreshold;
    if (streak[index] < threshold) {
      return;
    }
    streak[index] = 0;
    healthy[index] = passed;
    if (passed) {
      LOG.log(System.Logger.Level.INFO, "upstream ''{0}'': endpoint {1} is healthy again"
          + " ({2,number,#} health {2,choice,1#check|1<checks} passed in a row)", upstream, endpoints[index], threshold);
    } else {
      LOG.log(System.Logger.Level.WARNING, "upstream ''{0}'': endpoint {1} is unhealthy and gets no requests"
          + " ({2,number,#} health {2,choice,1#check|1<checks} failed in a row; last: {3})",
          upstream, endpoints[index], threshold, failure);
    }
    publish();
  }

  /**
   * Takes endpoint {@code index} out of balancing ({@code out}) or puts it back, whatever its health.
   * Called on the checker's event loop (the outlier detector runs there).
   */
  void eject(int index, boolean out) {
    if (ejected[index] != out) {
      ejected[index] = out;
      publish();
    }
  }

  private void publish() {
    List<Endpoint> up = new ArrayList<>(endpoints.length);
    List<Endpoint> serving = new ArrayList<>(endpoints.length);
    for (int i = 0; i < endpoints.length; i++) {
      if (healthy[i]) {
        up.add(endpoints[i]);
        if (!ejected[i]) {
          serving.add(endpoints[i]);
        }
      }
    }
    Endpoint[] next = up.toArray(Endpoint[]::new);
    boolean wasFailingOpen = isFailingOpen();
    healthyNow = next;
    available = !serving.isEmpty() ? serving.toArray(Endpoint[]::new) : next.length > 0 ? next : endpoints;
    if (next.length == 0 && !wasFailingOpen) {
      LOG.log(System.Logger.Level.WARNING, "upstream ''{0}'': all {1} endpoints are unhealthy; sending requests to all of"
          + " them anyway (fail open) until one passes its health checks", upstream, endpoints.length);
    } else if (next.length > 0 && wasFailingOpen) {
      LOG.log(System.Logger.Level.INFO, "upstream ''{0}'': {1} of {2} endpoints healthy again; requests go only to those",
          upstream, next.length, endpoints.length);
    }
  }
}
