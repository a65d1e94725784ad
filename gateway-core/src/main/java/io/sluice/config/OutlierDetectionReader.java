package io.sluice.config;

import java.time.Duration;
import java.util.List;

/** Reads an upstream's {@code outlier_detection:} and {@code retry_budget:}. */
final class OutlierDetectionReader {

  static final List<String> KEYS = List.of("consecutive_5xx", "consecutive_connect_failures", "interval", "base_ejection_time",
      "max_ejection_time", "max_ejection_percent", "failure_percentage");
  static final List<String> FAILURE_PERCENTAGE_KEYS = List.of("threshold", "minimum_hosts", "request_volume");
  static final List<String> BUDGET_KEYS = List.of("budget_percent", "min_retry_concurrency");

  private static final String IN_A_ROW = "a number of failures in a row, at least 1, or 0 for off";
  private static final String PERCENT = "a percentage from 0 to 100";

  private OutlierDetectionReader() {}

  static OutlierDetectionConfig read(YamlNode node) {
    YamlMap map = node.map(KEYS);
    OutlierDetectionConfig d = OutlierDetectionConfig.DEFAULTS;
    Duration base = map.timeout("base_ejection_time", d.baseEjectionTime());
    Duration max = map.timeout("max_ejection_time", base.compareTo(d.maxEjectionTime()) > 0 ? base : d.maxEjectionTime());
    if (max.compareTo(base) < 0) {
      map.optional("max_ejection_time").ifPresent(n -> n.problem("max_ejection_time is shorter than base_ejection_time"
          + " (expected: a duration of at least base_ejection_time, which is " + base.toMillis() + "ms)"));
    }
    return new OutlierDetectionConfig(
        map.optional("consecutive_5xx").flatMap(n -> n.integer(0, Integer.MAX_VALUE, IN_A_ROW)).orElse(d.consecutive5xx()),
        map.optional("consecutive_connect_failures").flatMap(n -> n.integer(0, Integer.MAX_VALUE, IN_A_ROW))
            .orElse(d.consecutiveConnectFailures()),
        map.timeout("interval", d.interval()),
        base,
        max,
        map.optional("max_ejection_percent").flatMap(n -> n.integer(0, 100, PERCENT)).orElse(d.maxEjectionPercent()),
        map.optional("failure_percentage").map(OutlierDetectionReader::failurePercentage).orElse(null));
  }

  private static OutlierDetectionConfig.FailurePercentage failurePercentage(YamlNode node) {
    YamlMap map = node.map(FAILURE_PERCENTAGE_KEYS);
    OutlierDetectionConfig.FailurePercentage d = OutlierDetectionConfig.FailurePercentage.DEFAULTS;
    return new OutlierDetectionConfig.FailurePercentage(
        map.optional("threshold").flatMap(n -> n.integer(1, 100, "a failure percentage from 1 to 100")).orElse(d.threshold()),
        map.optional("minimum_hosts").flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of endpoints, at least 1"))
            .orElse(d.minimumHosts()),
        map.optional("request_volume").flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of requests, at least 1"))
            .orElse(d.requestVolume()));
  }

  static RetryBudgetConfig budget(YamlNode node) {
    YamlMap map = node.map(BUDGET_KEYS);
    RetryBudgetConfig d = RetryBudgetConfig.DEFAULTS;
    return new RetryBudgetConfig(
        map.optional("budget_percent").flatMap(n -> n.integer(0, 100, PERCENT)).orElse(d.budgetPercent()),
        map.optional("min_retry_concurrency").flatMap(n -> n.integer(0, Integer.MAX_VALUE, "a number of retries, 0 or more"))
            .orElse(d.minRetryConcurrency()));
  }
}
