package io.sluice.plugins.circuitbreaker;

import java.time.Duration;
import java.util.List;

/**
 * The {@code circuit_breaker} plugin's YAML. See {@code docs/plugins/circuit-breaker.md}.
 *
 * {@snippet lang=yaml :
 * - circuit_breaker:
 *     window_calls: 100            # or window_time: 60s
 *     minimum_calls: 20
 *     failure_rate: 50             # percent
 *     slow_call_rate: 80           # percent, with slow_call_duration
 *     slow_call_duration: 2s
 *     consecutive_failures: 5
 *     open_duration: 30s
 *     half_open_calls: 3
 * }
 *
 * @param scope {@code upstream} (default): one breaker per upstream, shared by every route that sends
 *     to it with equal breaker settings; {@code route}: one for this route alone
 * @param windowCalls a count-based window: the last this many calls are judged (100 when neither window is set)
 * @param windowTime a time-based window: the calls of the last this long are judged
 * @param minimumCalls how many calls the window must hold before rates are judged (20 by default)
 * @param failureRate the failure rate, in percent, that opens the breaker (50 by default)
 * @param slowCallRate the rate of slow calls, in percent, that opens the breaker; not judged when absent
 * @param slowCallDuration with {@code slow_call_rate}: a call whose response head took longer is slow
 * @param consecutiveFailures this many failures in a row open the breaker, whatever the rates; not judged when absent
 * @param failureStatuses upstream response statuses that count as failures ([502, 503, 504] by default); connect
 *     failures, timeouts and resets always do
 * @param openDuration how long an open breaker refuses requests before it lets probes through (30s by default)
 * @param halfOpenCalls how many probes are let through; all must succeed to close the breaker, one failure
 *     opens it again (3 by default)
 */
public record CircuitBreakerConfig(
    Scope scope,
    Integer windowCalls,
    Duration windowTime,
    Integer minimumCalls,
    Integer failureRate,
    Integer slowCallRate,
    Duration slowCallDuration,
    Integer consecutiveFailures,
    List<Integer> failureStatuses,
    Duration openDuration,
    Integer halfOpenCalls) {

  static final int MAX_WINDOW_CALLS = 100_000;

  public CircuitBreakerConfig {
    scope = scope == null ? Scope.UPSTREAM : scope;
    if (windowCalls != null && windowTime != null) {
      throw new IllegalArgumentException("both window_calls and window_time are set (expected: one window, counted"
          + " in calls or in time)");
    }
    if (windowCalls != null && (windowCalls < 1 || windowCalls > MAX_WINDOW_CALLS)) {
      throw new IllegalArgumentException("window_calls: " + windowCalls + " (expected: 1.." + MAX_WINDOW_CALLS + ")");
    }
    if (windowTime != null && windowTime.toMillis() < 1000) {
      throw new IllegalArgumentException("window_time: " + windowTime.toMillis() + "ms (expected: at least 1s)");
    }
    if (windowCalls == null && windowTime == null) {
      windowCalls = 100;
    }
    minimumCalls = minimumCalls == null ? Math.min(20, windowCalls == null ? 20 : windowCalls) : minimumCalls;
    if (minimumCalls < 1 || windowCalls != null && minimumCalls > windowCalls) {
      throw new IllegalArgumentException("minimum_calls: " + minimumCalls + " (expected: at least 1"
          + (windowCalls == null ? ")" : " and at most window_calls, " + windowCalls + ")"));
    }
    failureRate = percent("failure_rate", failureRate == null ? 50 : failureRate);
    if (slowCallRate != null) {
      percent("slow_call_rate", slowCallRate);
      if (slowCallDuration == null || slowCallDuration.isZero() || slowCallDuration.isNegative()) {
        throw new IllegalArgumentException("slow_call_duration: " + (slowCallDuration == null ? "missing" : slowCallDuration)
            + " (expected: with slow_call_rate, how long a call may take before it is slow, such as 2s)");
      }
    } else if (slowCallDuration != null) {
      throw new IllegalArgumentException("slow_call_duration: only applies with slow_call_rate");
    }
    if (consecutiveFailures != null && consecutiveFailures < 1) {
      throw new IllegalArgumentException("consecutive_failures: " + consecutiveFailures + " (expected: at least 1)");
    }
    failureStatuses = failureStatuses.isEmpty() ? List.of(502, 503, 504) : List.copyOf(failureStatuses);
    for (int status : failureStatuses) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("failure_statuses: " + status + " (expected: HTTP statuses 100..599)");
      }
    }
    openDuration = openDuration == null ? Duration.ofSeconds(30) : openDuration;
    if (openDuration.isZero() || openDuration.isNegative()) {
      throw new IllegalArgumentException("open_duration: " + openDuration + " (expected: a duration such as 30s)");
    }
    halfOpenCalls = halfOpenCalls == null ? 3 : halfOpenCalls;
    if (halfOpenCalls < 1 || halfOpenCalls > 1000) {
      throw new IllegalArgumentException("half_open_calls: " + halfOpenCalls + " (expected: 1..1000)");
    }
  }

  private static int percent(String key, int value) {
    if (value < 1 || value > 100) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: a percentage, 1..100)");
    }
    return value;
  }

  /** Which calls share one breaker. */
  public enum Scope { UPSTREAM, ROUTE }
}
