package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An upstream's {@code outlier_detection:} and {@code retry_budget:}, a route's {@code retry:}: defaults, every key, mistakes. */
class ConfigResilienceTest {

  /** Upstream {@code users} on lines 4..; its extra keys (indented by 4) from line 6. */
  private static String upstream(String extra) {
    return """
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          users:
            endpoints: ["http://127.0.0.1:9001", "http://127.0.0.1:9002"]
        %s
        routes: []
        """.formatted(extra.indent(4).stripTrailing());
  }

  /** A route whose {@code retry:} lines (indented by 6) start on line 10. */
  private static String route(String retry) {
    return YamlSnippets.HEADER + """
          - id: r
            match: { path: /** }
            upstream: users
            retry:
        %s
        """.formatted(retry.indent(8).stripTrailing());
  }

  private static UpstreamConfig users(String yaml) throws ConfigException {
    return YamlSnippets.valid(yaml).upstreams().get("users");
  }

  private static RetryPolicy retry(String yaml) throws ConfigException {
    return ((RouteAction.Forward) YamlSnippets.valid(yaml).routes().get(0).action()).retry();
  }

  @Test
  void withoutTheBlocksThereIsNoDetectionAndTheDefaultBudget() throws Exception {
    UpstreamConfig users = users(upstream("load_balancer: round_robin"));

    assertThat(users.outlierDetection()).isNull();
    assertThat(users.retryBudget()).isEqualTo(new RetryBudgetConfig(20, 3));
    assertThat(((RouteAction.Forward) YamlSnippets.valid(YamlSnippets.HEADER + "  - { id: r, match: { path: /** }, upstream: users }\n")
        .routes().get(0).action()).retry()).isNull();
  }

  @Test
  void anEmptyOutlierDetectionHasEnvoysDefaults() throws Exception {
    OutlierDetectionConfig detection = users(upstream("outlier_detection: {}")).outlierDetection();

    assertThat(detection).isEqualTo(OutlierDetectionConfig.DEFAULTS);
    assertThat(detection.consecutive5xx()).isEqualTo(5);
    assertThat(detection.baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(detection.maxEjectionPercent()).isEqualTo(10);
    assertThat(detection.failurePercentage()).isNull();
  }

  @Test
  void everyOutlierDetectionKeyIsRead() throws Exception {
    UpstreamConfig users = users(upstream("""
        outlier_detection:
          consecutive_5xx: 0
          consecutive_connect_failures: 2
          interval: 2s
          base_ejection_time: 5s
          max_ejection_time: 1m
          max_ejection_percent: 50
          failure_percentage: { threshold: 60, minimum_hosts: 2, request_volume: 20 }
        retry_budget: { budget_percent: 10, min_retry_concurrency: 1 }
        """));

    assertThat(users.outlierDetection()).isEqualTo(new OutlierDetectionConfig(0, 2, Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofMinutes(1), 50, new OutlierDetectionConfig.FailurePercentage(60, 2, 20)));
    assertThat(users.retryBudget()).isEqualTo(new RetryBudgetConfig(10, 1));
  }

  @Test
  void outlierDetectionMistakesAreReportedWithTheirPositions() {
    assertThat(YamlSnippets.problems(upstream("""
        outlier_detection:
          consecutive_5xx: -1
          max_ejection_percent: 150
          base_ejection_time: 1m
          max_ejection_time: 10s
          failure_percentage: { threshold: 0, request_volum: 5 }
        retry_budget: { budget_percent: 101 }
        """))).containsExactly(
            "sluice.yaml:7:24 upstreams.users.outlier_detection.consecutive_5xx: '-1'"
                + " (expected: a number of failures in a row, at least 1, or 0 for off)",
            "sluice.yaml:8:29 upstreams.users.outlier_detection.max_ejection_percent: '150' (expected: a percentage from 0 to 100)",
            "sluice.yaml:10:26 upstreams.users.outlier_detection.max_ejection_time: max_ejection_time is shorter than"
                + " base_ejection_time (expected: a duration of at least base_ejection_time, which is 60000ms)",
            "sluice.yaml:11:40 upstreams.users.outlier_detection.failure_percentage.threshold: '0'"
                + " (expected: a failure percentage from 1 to 100)",
            "sluice.yaml:11:43 upstreams.users.outlier_detection.failure_percentage: unknown key 'request_volum'"
                + " (did you mean 'request_volume'?)",
            "sluice.yaml:12:37 upstreams.users.retry_budget.budget_percent: '101' (expected: a percentage from 0 to 100)");
  }

  @Test
  void aRetryNeedsOnlyItsAttempts() throws Exception {
    RetryPolicy retry = retry(route("attempts: 3"));

    assertThat(retry.attempts()).isEqualTo(3);
    assertThat(retry.on()).isEqualTo(RetryPolicy.DEFAULT_ON);
    assertThat(retry.statuses()).isEmpty();
    assertThat(retry.perTryTimeout()).isNull();
    assertThat(retry.backoffBase()).isEqualTo(Duration.ofMillis(25));
    assertThat(retry.backoffMax()).isEqualTo(Duration.ofMillis(250));
    assertThat(retry.bufferBodyBytes()).isEqualTo(64 * 1024);
  }

  @Test
  void everyRetryKeyIsRead() throws Exception {
    RetryPolicy retry = retry(route("""
        attempts: 4
        on: [connect_failure, timeout, gateway_error, 429]
        per_try_timeout: 500ms
        backoff: { base: 10ms }
        buffer_body: 0
        """));

    assertThat(retry).isEqualTo(new RetryPolicy(4, Set.of(RetryPolicy.Condition.CONNECT_FAILURE, RetryPolicy.Condition.TIMEOUT),
        Set.of(429, 502, 503, 504), Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMillis(100), 0));
  }

  @Test
  void retryMistakesAreReportedWithTheirPositions() {
    assertThat(YamlSnippets.problems(route("""
        attempts: 1
        on: [connect-failure, 200, unavailable]
        backoff: { base: 1s, max: 10ms }
        """))).containsExactly(
            "sluice.yaml:11:19 routes[0].retry.attempts: '1' (expected: a number of attempts from 2 to 10"
                + " (the first one included))",
            "sluice.yaml:12:14 routes[0].retry.on[0]: cannot retry on 'connect-failure' (did you mean 'connect_failure'?)",
            "sluice.yaml:12:31 routes[0].retry.on[1]: cannot retry on '200' (expected: connect_failure, reset, timeout,"
                + " unavailable, gateway_error (502, 503 and 504), or an HTTP status from 400 to 599)",
            "sluice.yaml:13:35 routes[0].retry.backoff.max: backoff max is shorter than backoff base (expected: a duration of"
                + " at least 1000ms)");
    assertThat(YamlSnippets.problems(YamlSnippets.HEADER + """
          - { id: r, match: { path: /** }, respond: { status: 200 }, retry: { attempts: 2 } }
        """)).containsExactly("sluice.yaml:7:62 routes[0]: 'retry' applies only to routes with 'upstream'");
    assertThat(List.of(RetryPolicy.Condition.values())).hasSize(4);
  }
}
