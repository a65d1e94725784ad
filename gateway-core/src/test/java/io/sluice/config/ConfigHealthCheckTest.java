package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An upstream's {@code health_check:} block: defaults, every key, and each mistake with its position. */
class ConfigHealthCheckTest {

  /** Upstream {@code users} whose lines (indented by 4) start on line 4; {@code health_check:} lines by 6 after it. */
  private static String upstream(String protocol, String endpoint, String check) {
    return """
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          users:
            protocol: %s
            endpoints: ["%s"]
            health_check:
        %s
        routes: []
        """.formatted(protocol, endpoint, check.indent(6).stripTrailing());
  }

  private static String http1(String check) {
    return upstream("http1", "http://127.0.0.1:9001", check);
  }

  private static String h2c(String check) {
    return upstream("h2c", "http://127.0.0.1:50051", check);
  }

  private static HealthCheckConfig load(String yaml) throws ConfigException {
    return YamlSnippets.valid(yaml).upstreams().get("users").healthCheck();
  }

  @Test
  void withoutTheBlockThereIsNoHealthCheck() throws Exception {
    GatewayConfig config = YamlSnippets.valid(YamlSnippets.HEADER + "  []\n");

    assertThat(config.upstreams().get("users").healthCheck()).isNull();
  }

  @Test
  void anEmptyBlockIsAnHttpCheckOfSlashWithTheDefaults() throws Exception {
    HealthCheckConfig check = load(http1("{}"));

    assertThat(check).isEqualTo(HealthCheckConfig.DEFAULTS);
    assertThat(check.type()).isEqualTo(HealthCheckConfig.Type.HTTP);
    assertThat(check.path()).isEqualTo("/");
    assertThat(check.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(check.healthyThreshold()).isEqualTo(2);
    assertThat(check.unhealthyThreshold()).isEqualTo(3);
    assertThat(check.expectedStatuses()).containsExactly(new HealthCheckConfig.StatusRange(200, 399));
    assertThat(check.isExpected(200)).isTrue();
    assertThat(check.isExpected(399)).isTrue();
    assertThat(check.isExpected(404)).isFalse();
  }

  @Test
  void everyHttpKeyIsRead() throws Exception {
    HealthCheckConfig check = load(http1("""
        type: http
        path: /healthz?deep=1
        interval: 250ms
        timeout: 100ms
        healthy_threshold: 1
        unhealthy_threshold: 5
        expected_statuses: [200, 204, 300-302]
        """));

    assertThat(check).isEqualTo(new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "/healthz?deep=1", "",
        Duration.ofMillis(250), Duration.ofMillis(100), 1, 5, List.of(new HealthCheckConfig.StatusRange(200, 200),
            new HealthCheckConfig.StatusRange(204, 204), new HealthCheckConfig.StatusRange(300, 302))));
    assertThat(check.isExpected(204)).isTrue();
    assertThat(check.isExpected(201)).isFalse();
    assertThat(check.isExpected(301)).isTrue();
  }

  @Test
  void aGrpcCheckNamesAServiceOrTheWholeServer() throws Exception {
    HealthCheckConfig whole = load(h2c("type: grpc"));
    HealthCheckConfig named = load(upstream("h2", "https://orders.internal", """
        type: grpc
        service: orders.v1.OrderService
        """));

    assertThat(whole.type()).isEqualTo(HealthCheckConfig.Type.GRPC);
    assertThat(whole.service()).isEmpty();
    assertThat(load(h2c("type: grpc\nservice: \"\"")).service()).isEmpty();
    assertThat(named.service()).isEqualTo("orders.v1.OrderService");
  }

  @Test
  void aGrpcCheckOfAnHttp1UpstreamIsRefused() {
    assertThat(YamlSnippets.problems(http1("type: grpc"))).containsExactly(
        "sluice.yaml:8:13 upstreams.users.health_check.type: gRPC health checks need an HTTP/2 upstream, but this one is http1"
            + " (expected: protocol h2c or h2 on the upstream, or type: http)");
  }

  @Test
  void aGrpcCheckIsNotAlsoBlamedOnAMistypedProtocol() {
    assertThat(YamlSnippets.problems(upstream("h2x", "http://127.0.0.1:50051", "type: grpc")))
        .containsExactly("sluice.yaml:5:15 upstreams.users.protocol: unknown protocol 'h2x' (did you mean 'h2c'?)");
  }

  @Test
  void keysOfTheOtherTypeHaveNoEffect() {
    assertThat(YamlSnippets.problems(h2c("""
        type: grpc
        path: /healthz
        expected_statuses: [200]
        """))).containsExactly(
        "sluice.yaml:9:7 upstreams.users.health_check: 'path' has no effect on grpc health checks (expected: type: http, or no path)",
        "sluice.yaml:10:7 upstreams.users.health_check: 'expected_statuses' has no effect on grpc health checks"
            + " (expected: type: http, or no expected_statuses)");
    assertThat(YamlSnippets.problems(http1("service: orders"))).containsExactly(
        "sluice.yaml:8:7 upstreams.users.health_check: 'service' has no effect on http health checks"
            + " (expected: type: grpc, or no service)");
  }

  @Test
  void unknownKeysAndTypesGetDidYouMean() {
    assertThat(YamlSnippets.problems(http1("""
        type: grpcc
        intervall: 5s
        """))).containsExactly(
        "sluice.yaml:8:13 upstreams.users.health_check.type: unknown health check type 'grpcc' (did you mean 'grpc'?)",
        "sluice.yaml:9:7 upstreams.users.health_check: unknown key 'intervall' (did you mean 'interval'?)");
  }

  @Test
  void aFarOffTypeListsTheTypes() {
    assertThat(YamlSnippets.problems(http1("type: tcp"))).containsExactly(
        "sluice.yaml:8:13 upstreams.users.health_check.type: unknown health check type 'tcp' (expected one of: http, grpc)");
  }

  @Test
  void thePathMustBeARequestTarget() {
    assertThat(YamlSnippets.problems(http1("path: healthz"))).containsExactly(
        "sluice.yaml:8:13 upstreams.users.health_check.path: 'healthz' (expected: a path starting with /, such as /healthz,"
            + " without spaces or #; percent-encode other characters)");
    assertThat(YamlSnippets.problems(http1("path: \"/health z\""))).hasSize(1);
    assertThat(YamlSnippets.problems(http1("path: \"/health#z\""))).hasSize(1);
  }

  @Test
  void durationsMustBePositive() {
    assertThat(YamlSnippets.problems(http1("""
        interval: 0
        timeout: soon
        """))).containsExactly(
        "sluice.yaml:8:17 upstreams.users.health_check.interval: '0' (expected: a duration greater than 0, such as 10s)",
        "sluice.yaml:9:16 upstreams.users.health_check.timeout: 'soon' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)");
  }

  @Test
  void thresholdsMustBeAtLeastOne() {
    assertThat(YamlSnippets.problems(http1("""
        healthy_threshold: 0
        unhealthy_threshold: many
        """))).containsExactly(
        "sluice.yaml:8:26 upstreams.users.health_check.healthy_threshold: '0' (expected: a number of checks in a row, at least 1)",
        "sluice.yaml:9:28 upstreams.users.health_check.unhealthy_threshold: 'many'"
            + " (expected: a number of checks in a row, at least 1)");
  }

  @Test
  void expectedStatusesAreCodesOrRangesOfThem() {
    assertThat(YamlSnippets.problems(http1("expected_statuses: [200, 2xx, 399-200, 600, 200-]"))).containsExactly(
        "sluice.yaml:8:32 upstreams.users.health_check.expected_statuses[1]: '2xx'"
            + " (expected: an HTTP status from 100 to 599, or a range such as 200-399)",
        "sluice.yaml:8:37 upstreams.users.health_check.expected_statuses[2]: '399-200' is an empty range"
            + " (expected: the lower status first, such as 200-399)",
        "sluice.yaml:8:46 upstreams.users.health_check.expected_statuses[3]: '600'"
            + " (expected: an HTTP status from 100 to 599, or a range such as 200-399)",
        "sluice.yaml:8:51 upstreams.users.health_check.expected_statuses[4]: '200-'"
            + " (expected: an HTTP status from 100 to 599, or a range such as 200-399)");
    assertThat(YamlSnippets.problems(http1("expected_statuses: []"))).containsExactly(
        "sluice.yaml:8:26 upstreams.users.health_check.expected_statuses: expected at least one status, such as 200-399");
  }

  @Test
  void theBlockMustBeAMapping() {
    assertThat(YamlSnippets.problems(upstream("http1", "http://127.0.0.1:9001", "").replace("health_check:\n",
        "health_check: yes\n"))).containsExactly(
        "sluice.yaml:7:19 upstreams.users.health_check: expected a mapping, found 'yes'");
  }
}
