package io.sluice.config;

import java.time.Duration;

/**
 * Passive outlier detection of an upstream's endpoints ({@code upstreams.<name>.outlier_detection}),
 * named after Envoy's: an endpoint that fails requests is ejected (taken out of load balancing)
 * for {@code baseEjectionTime} times the number of times it has been ejected, at most
 * {@code maxEjectionTime}, without any probe. A detector set to 0 is off.
 *
 * @param consecutive5xx responses with a 5xx status (and requests that failed after connecting:
 *     reset, timed out, malformed answer) in a row that eject an endpoint; 0 for off
 * @param consecutiveConnectFailures failed attempts to connect in a row that eject an endpoint; 0 for off
 * @param interval how often the failure percentages are judged and the ejection multipliers decay
 * @param baseEjectionTime how long the first ejection lasts; the n-th lasts n times as long
 * @param maxEjectionTime the longest an ejection lasts
 * @param maxEjectionPercent the most endpoints, as a percentage of all, ejected at one time; at
 *     least one is always allowed, as in Envoy, but never all of them
 * @param failurePercentage the failure-percentage detector, {@code null} when off
 */
public record OutlierDetectionConfig(
    int consecutive5xx,
    int consecutiveConnectFailures,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent,
    FailurePercentage failurePercentage) {

  /** Envoy's defaults: 5 in a row, judged every 10s, ejected for 30s, at most 300s, at most 10%. */
  public static final OutlierDetectionConfig DEFAULTS = new OutlierDetectionConfig(
      5, 5, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), 10, null);

  /**
   * Ejects an endpoint whose share of failed requests in the last {@code interval} is at least
   * {@code threshold} percent.
   *
   * @param threshold the failure percentage, 1..100, that ejects
   * @param minimumHosts how many endpoints must have had {@code requestVolume} requests in the
   *     interval for any to be judged (one endpoint failing alone says little about it)
   * @param requestVolume requests an endpoint must have had in the interval to be judged
   */
  public record FailurePercentage(int threshold, int minimumHosts, int requestVolume) {

    /** Envoy's defaults: 85%, 5 endpoints, 50 requests. */
    public static final FailurePercentage DEFAULTS = new FailurePercentage(85, 5, 50);
  }
}
