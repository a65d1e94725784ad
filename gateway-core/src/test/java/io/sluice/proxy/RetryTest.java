package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Retries of a route ({@code retry:}) against real upstreams that refuse connections, reset,
 * answer 503 or slow down on command. Route {@code /r/**} retries; {@code /plain/**} does not, to
 * show what clients see without it. One event loop and round robin make the endpoint order fixed.
 */
class RetryTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static String config(String budget) {
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
          access_log: { format: json }
        upstreams:
          pair:
            endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}" ]
            timeouts: { connect: 1s, response: 5s }
        %s
        routes:
          - id: retried
            match: { path: /r/** }
            upstream: pair
            rewrite: { strip_prefix: /r }
            retry: { attempts: 3, on: [connect_failure, reset, timeout, 503], per_try_timeout: 400ms,
                     backoff: { base: 5ms, max: 20ms } }
          - id: storm
            match: { path: /storm/** }
            upstream: pair
            rewrite: { strip_prefix: /storm }
            retry: { attempts: 3, on: [503], backoff: { base: 5ms, max: 20ms } }
          - id: opted-in
            match: { path: /opt/** }
            upstream: pair
            rewrite: { strip_prefix: /opt }
            retry_non_idempotent: true
            retry: { attempts: 2, on: [reset], buffer_body: 1KiB }
          - id: plain
            match: { path: /plain/** }
            upstream: pair
            rewrite: { strip_prefix: /plain }
        """.formatted(budget.indent(4).stripTrailing());
  }

  private static Gateway gateway(int a, int b) throws Exception {
    return gateway(a, b, "");
  }

  private static Gateway gateway(int a, int b, String budget) throws Exception {
    return Gateway.start(config(budget), Map.of("A", String.valueOf(a), "B", String.valueOf(b)));
  }

  /** A port nothing listens on: connecting to it is refused. */
  private static int deadPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void withOneOfTwoEndpointsDeadAndNoHealthCheckNoClientSeesAnError() throws Exception {
    int dead = deadPort();
    try (TestUpstream live = new TestUpstream(); Gateway gateway = gateway(dead, live.port())) {
      List<Integer> plain = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        plain.add(gateway.send("GET", "/plain/p").statusCode());
      }
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> response = gateway.send("GET", "/r/x" + i);
        assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
        assertThat(response.body()).isEqualTo("GET /x" + i);
      }

      assertThat(plain).as("without retries, every other request meets the dead endpoint").contains(502);
      List<JsonNode> lines = gateway.accessLogJson("/r/x");
      assertThat(lines).hasSize(20);
      assertThat(lines).filteredOn(line -> line.get("attempts").asInt() == 2).hasSize(10)
          .allSatisfy(line -> assertThat(line.get("upstream").asText()).isEqualTo("127.0.0.1:" + live.port()));
      assertThat(lines).filteredOn(line -> line.get("attempts").asInt() == 1).hasSize(10);
      Counter sent = gateway.server().meters().find("sluice.upstream.retries").tags("upstream", "pair", "outcome", "sent").counter();
      assertThat(sent.count()).isEqualTo(10);
    }
  }

  @Test
  void aRetryGoesToTheOtherEndpoint() throws Exception {
    try (TestUpstream resetting = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(resetting.port(), healthy.port())) {
      resetting.resetting(true);

      for (int i = 0; i < 10; i++) {
        assertThat(gateway.send("GET", "/r/o").statusCode()).isEqualTo(200);
      }

      // every other request went to the resetting endpoint first, and was answered by the other one
      assertThat(resetting.requestsFor("/o")).isEqualTo(5);
      assertThat(healthy.requestsFor("/o")).isEqualTo(10);
    }
  }

  @Test
  void aPostIsNotRetriedAfterItWasSentButIsAfterAConnectFailure() throws Exception {
    int dead = deadPort();
    try (TestUpstream resetting = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(resetting.port(), healthy.port())) {
      resetting.resetting(true);
      int failed = 0;
      for (int i = 0; i < 4; i++) {
        int status = gateway.send("POST", "/r/post").statusCode();
        failed += status == 502 ? 1 : 0;
      }

      assertThat(failed).isEqualTo(2);
      assertThat(resetting.requestsFor("/post")).isEqualTo(2); // each received once: the upstream may have acted on it
      assertThat(healthy.requestsFor("/post")).isEqualTo(2);
    }
    try (TestUpstream healthy = new TestUpstream(); Gateway gateway = gateway(dead, healthy.port())) {
      for (int i = 0; i < 4; i++) {
        assertThat(gateway.send("POST", "/r/post").statusCode()).isEqualTo(200); // it never left: safe to send elsewhere
      }
      assertThat(healthy.requestsFor("/post")).isEqualTo(4);
    }
  }

  @Test
  void aBoundedBodyIsSentAgainWhole() throws Exception {
    try (TestUpstream resetting = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(resetting.port(), healthy.port())) {
      resetting.resetting(true);
      String body = "x".repeat(10_000);
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(gateway.uri("/r/put"))
            .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(healthy.lastBody().bytes()).isEqualTo(10_000);
      }
      assertThat(resetting.requestsFor("/put")).isEqualTo(2);
      assertThat(healthy.requestsFor("/put")).isEqualTo(4);
    }
  }

  @Test
  void aRouteThatOptsInRetriesAPostWithAChunkedBodyWithinItsBound() throws Exception {
    try (TestUpstream resetting = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(resetting.port(), healthy.port())) {
      resetting.resetting(true);
      List<Integer> small = new ArrayList<>();
      List<Integer> large = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        small.add(postChunked(gateway, "/opt/echo", 1000).statusCode()); // no Content-Length: sent chunked
        assertThat(healthy.lastBody()).isEqualTo(TestUpstream.ReceivedBody.intact(1000));
      }
      for (int i = 0; i < 2; i++) {
        large.add(postChunked(gateway, "/opt/echo", 5000).statusCode());
      }

      assertThat(small).containsExactly(200, 200);
      assertThat(large).as("past buffer_body the body is gone once sent: the one meeting the reset fails").containsExactly(502, 200);
      assertThat(resetting.requestsFor("/echo")).isEqualTo(2);
      assertThat(healthy.requestsFor("/echo")).isEqualTo(3);
    }
  }

  private static HttpResponse<String> postChunked(Gateway gateway, String path, int bytes) throws Exception {
    byte[] body = io.sluice.testing.BodyPattern.bytes(bytes);
    return CLIENT.send(HttpRequest.newBuilder(gateway.uri(path))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anHttp2UpstreamGetsTheBodyOfARequestWhoseFirstEndpointWasDead() throws Exception {
    int dead = deadPort();
    try (io.sluice.testing.H2TestUpstream live = io.sluice.testing.H2TestUpstream.h2c(100);
        Gateway gateway = Gateway.start("""
            server:
              listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
              event_loops: 1
            upstreams:
              pair: { endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}" ], protocol: h2c }
            routes:
              - { id: r, match: { path: /** }, upstream: pair, retry: { attempts: 2, on: [connect_failure] } }
            """, Map.of("A", String.valueOf(dead), "B", String.valueOf(live.port())))) {
      for (int i = 0; i < 4; i++) {
        String body = "message " + i;
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(gateway.uri("/echo"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
      }
      assertThat(live.requests()).hasSize(4);
    }
  }

  @Test
  void aSlowEndpointIsGivenUpAfterThePerTryTimeout() throws Exception {
    try (TestUpstream slow = new TestUpstream(); TestUpstream fast = new TestUpstream();
        Gateway gateway = gateway(slow.port(), fast.port())) {
      slow.echoDelay(3_000); // longer than per_try_timeout, shorter than the response timeout

      for (int i = 0; i < 4; i++) {
        HttpResponse<String> response = gateway.send("GET", "/r/slow" + i);
        assertThat(response.statusCode()).isEqualTo(200);
      }

      List<JsonNode> lines = gateway.accessLogJson("/r/slow");
      assertThat(lines).filteredOn(line -> line.get("attempts").asInt() == 2).hasSize(2)
          .allSatisfy(line -> assertThat(line.get("upstream").asText()).isEqualTo("127.0.0.1:" + fast.port()));
      assertThat(slow.requests()).hasSize(2);
      assertThat(fast.requests()).hasSize(4);
    }
  }

  @Test
  void theBudgetHoldsRetriesDownInAStorm() throws Exception {
    try (TestUpstream a = new TestUpstream(); TestUpstream b = new TestUpstream();
        Gateway gateway = gateway(a.port(), b.port(), "retry_budget: { budget_percent: 0, min_retry_concurrency: 2 }")) {
      for (TestUpstream upstream : List.of(a, b)) {
        upstream.echoStatus(503);
        upstream.echoDelay(300);
      }
      int clients = 20;
      List<CompletableFuture<HttpResponse<String>>> storm = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        storm.add(CLIENT.sendAsync(HttpRequest.newBuilder(gateway.uri("/storm/s")).build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> response : storm) {
        assertThat(response.get().statusCode()).isEqualTo(503);
      }

      long attempts = a.requestsFor("/s") + b.requestsFor("/s");
      // without the budget: 3 attempts each, 60; with it, two retries in flight at a time
      assertThat(attempts).isGreaterThan(clients).isLessThanOrEqualTo(clients + 2 * 2 + 4);
      Counter refused = gateway.server().meters().find("sluice.upstream.retries")
          .tags("upstream", "pair", "outcome", "budget_exhausted").counter();
      assertThat(refused.count()).isGreaterThanOrEqualTo(clients - 2 - 4);
    }
  }

  @Test
  void aRetryableStatusIsNotSeenByTheClient() throws Exception {
    try (TestUpstream failing = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(failing.port(), healthy.port())) {
      failing.echoStatus(503);

      for (int i = 0; i < 6; i++) {
        assertThat(gateway.send("GET", "/r/s").statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < 4; i++) {
        // the 503's connection was kept: its response was read to the end
        assertThat(gateway.send("GET", "/r/s").statusCode()).isEqualTo(200);
      }
      assertThat(failing.requestsFor("/s")).isEqualTo(5);
      assertThat(failing.connections()).isEqualTo(1);
    }
  }
}
