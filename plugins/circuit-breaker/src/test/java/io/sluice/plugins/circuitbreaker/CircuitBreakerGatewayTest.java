package io.sluice.plugins.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.testing.Poll;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin in a real gateway in front of real upstreams that fail and recover on command; wall-clock time. */
class CircuitBreakerGatewayTest {

  private static final String BREAKER = "{ consecutive_failures: 3, open_duration: %s, half_open_calls: 1 }";

  private static String config(String openDuration, String otherBody) {
    String breaker = BREAKER.formatted(openDuration);
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
          gone: { endpoints: [ "http://127.0.0.1:${CLOSED_PORT}" ], timeouts: { connect: 1s } }
        routes:
          - { id: other, match: { path: /other }, respond: { status: 200, body: "%s" } }
          - { id: a, match: { path: /a/** }, upstream: backend, plugins: [ { circuit_breaker: %s } ] }
          - { id: b, match: { path: /b/** }, upstream: backend, plugins: [ { circuit_breaker: %s } ] }
          - id: own
            match: { path: /own/** }
            upstream: backend
            plugins: [ { circuit_breaker: { scope: route, consecutive_failures: 3, open_duration: %s, half_open_calls: 1 } } ]
          - { id: gone, match: { path: /gone/** }, upstream: gone, plugins: [ { circuit_breaker: %s } ] }
        """.formatted(otherBody, breaker, breaker, openDuration, breaker);
  }

  private static Map<String, String> env(TestUpstream upstream) throws Exception {
    try (ServerSocket probe = new ServerSocket(0)) { // a port nothing listens on once closed
      return Map.of("UPSTREAM", String.valueOf(upstream.port()), "CLOSED_PORT", String.valueOf(probe.getLocalPort()));
    }
  }

  @Test
  void failuresOpenTheUpstreamsBreakerForEveryRouteSharingItAndAProbeClosesItOnceTheUpstreamRecovered() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = Gateway.start(config("1s", "x"), env(upstream))) {
      upstream.echoStatus(503);
      for (int i = 0; i < 3; i++) {
        assertThat(gateway.send("GET", "/a/x").statusCode()).isEqualTo(503);
      }
      int reached = upstream.requests().size();

      long before = System.nanoTime();
      HttpResponse<String> refused = gateway.send("GET", "/a/x");
      long refusedInNanos = System.nanoTime() - before;

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).contains("1");
      assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      assertThat(refused.body()).startsWith("{\"error\":{\"code\":\"CIRCUIT_OPEN\",\"message\":\"The upstream 'backend' is failing;")
          .contains("\"retry_after\":1");
      assertThat(gateway.send("GET", "/b/x").body()).contains("CIRCUIT_OPEN"); // b shares backend's breaker
      assertThat(upstream.requests()).hasSize(reached);
      assertThat(refusedInNanos).as("refused at once").isLessThan(Duration.ofMillis(500).toNanos());
      assertThat(gateway.send("GET", "/own/x").statusCode()).as("scope: route has a breaker of its own").isEqualTo(503);
      assertThat(upstream.requests()).hasSize(reached + 1);

      try (AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
        PrometheusText metrics = PrometheusText.scrape(admin.port());
        assertThat(metrics.value("sluice_plugin_circuit_breaker_state", "route", "b", "upstream", "backend", "state", "open"))
            .isEqualTo(1);
        assertThat(metrics.value("sluice_plugin_circuit_breaker_state", "route", "b", "upstream", "backend", "state", "closed"))
            .isZero();
        assertThat(metrics.value("sluice_plugin_rejections_total", "route", "a", "plugin", "circuit_breaker", "code",
            "CIRCUIT_OPEN")).isEqualTo(1);
        HttpResponse<String> routes = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + admin.port() + "/admin/routes")).build(), HttpResponse.BodyHandlers.ofString());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(routes.body());
        var routeA = java.util.stream.StreamSupport.stream(json.get("routes").spliterator(), false)
            .filter(route -> route.get("id").asText().equals("a")).findFirst().orElseThrow();
        assertThat(routeA.at("/plugins/0/state").toString())
            .isEqualTo("{\"guards\":\"upstream 'backend'\",\"state\":\"open\",\"retry_after_seconds\":1}");
        // the upstream's page shows its breakers: the one routes a and b share, once, and own's
        HttpResponse<String> upstreams = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + admin.port() + "/admin/upstreams")).build(), HttpResponse.BodyHandlers.ofString());
        var backend = new com.fasterxml.jackson.databind.ObjectMapper().readTree(upstreams.body()).at("/upstreams/backend");
        assertThat(backend.get("plugins")).hasSize(2);
        assertThat(backend.at("/plugins/0/plugin").asText()).isEqualTo("circuit_breaker");
        assertThat(backend.at("/plugins/0/routes").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(backend.at("/plugins/0/state/guards").asText()).isEqualTo("upstream 'backend'");
        assertThat(backend.at("/plugins/0/state/state").asText()).isEqualTo("open");
        assertThat(backend.at("/plugins/1/routes").toString()).isEqualTo("[\"own\"]");
      }

      upstream.echoStatus(200);
      Poll.until("a probe after open_duration closes the breaker", () -> status(gateway, "/a/x") == 200);
      assertThat(gateway.send("GET", "/b/x").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aProbeThatFailsOpensItAgain() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = Gateway.start(config("1s", "x"), env(upstream))) {
      upstream.echoStatus(502);
      for (int i = 0; i < 3; i++) {
        gateway.send("GET", "/a/x");
      }
      int reached = upstream.requests().size();
      Poll.until("a probe let through after open_duration", () -> {
        status(gateway, "/a/x"); // refused until the wait is over; then the probe, which fails
        return upstream.requests().size() == reached + 1;
      });
      assertThat(gateway.send("GET", "/a/x").body()).contains("CIRCUIT_OPEN");
      assertThat(upstream.requests()).hasSize(reached + 1);
    }
  }

  @Test
  void anUpstreamThatRefusesConnectionsOpensIt() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = Gateway.start(config("1m", "x"), env(upstream))) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> failed = gateway.send("GET", "/gone/x");
        assertThat(failed.statusCode()).isIn(502, 503);
        assertThat(failed.body()).doesNotContain("CIRCUIT_OPEN");
      }
      HttpResponse<String> refused = gateway.send("GET", "/gone/x");
      assertThat(refused.body()).contains("CIRCUIT_OPEN");
      assertThat(refused.headers().firstValue("retry-after")).hasValueSatisfying(
          seconds -> assertThat(Integer.parseInt(seconds)).isBetween(50, 60));
    }
  }

  @Test
  void aReloadKeepsTheStateOfAnUnchangedBreakerAndStartsAChangedOneClosed() throws Exception {
    try (TestUpstream upstream = new TestUpstream()) {
      Map<String, String> env = env(upstream);
      try (Gateway gateway = Gateway.start(config("1m", "x"), env)) {
        upstream.echoStatus(503);
        for (int i = 0; i < 3; i++) {
          gateway.send("GET", "/a/x");
        }
        upstream.echoStatus(200);
        assertThat(gateway.send("GET", "/a/x").body()).contains("CIRCUIT_OPEN");

        gateway.reload(config("1m", "changed elsewhere"), env);
        assertThat(gateway.send("GET", "/other").body()).isEqualTo("changed elsewhere");
        assertThat(gateway.send("GET", "/a/x").body()).as("still open after an unrelated change").contains("CIRCUIT_OPEN");

        gateway.reload(config("2m", "changed elsewhere"), env);
        assertThat(gateway.send("GET", "/a/x").statusCode()).as("a changed breaker starts closed").isEqualTo(200);
      }
    }
  }

  @Test
  void aGrpcCallIsRefusedWithUnavailable() throws Exception {
    GrpcTestServer server = GrpcTestServer.start();
    try (Gateway gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c, timeouts: { connect: 1s } }
        routes:
          - id: echo
            match: { path: "/test.Echo/*" }
            upstream: grpc
            plugins: [ { circuit_breaker: { consecutive_failures: 2, open_duration: 1m } } ]
        """, Map.of("GRPC", String.valueOf(server.port())));
        GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", gateway.port())) {
      assertThat(client.unary(new byte[] {1})).containsExactly(1);
      server.close(); // the service goes away: calls fail to connect
      for (int i = 0; i < 2; i++) {
        assertThat(client.call(EchoService.UNARY, List.of(new byte[] {2})).status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      }

      GrpcResult refused = client.call(EchoService.UNARY, List.of(new byte[] {3}));

      assertThat(refused.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(refused.status().getDescription()).contains("The upstream 'grpc' is failing");
    }
  }

  @Test
  void aRouteThatAnswersByItselfCannotHaveOne() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        routes:
          - { id: direct, match: { path: /d }, respond: { status: 200 }, plugins: [ { circuit_breaker: {} } ] }
        """, Map.of()))
        .hasMessageContaining("route 'direct' answers by itself and has no upstream to guard");
  }

  private static int status(Gateway gateway, String path) {
    try {
      return gateway.send("GET", path).statusCode();
    } catch (Exception e) {
      return 0;
    }
  }
}
