package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Load shedding in front of a real slow upstream: a cap on requests waiting for a connection per
 * upstream, a cap on exchanges in flight, and memory-pressure thresholds (set low enough here that
 * the gateway's real heap is past them).
 */
class OverloadTest {

  static TestUpstream upstream;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  private static CompletableFuture<HttpResponse<String>> getAsync(Gateway gateway, String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.sendAsync(request.build(), BodyHandlers.ofString());
  }

  private static double counter(Gateway gateway, String name, String... tags) {
    Counter counter = gateway.server().meters().find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void requestBeyondMaxPendingIsRefusedAtOnceWhileTheWaitingOnesAreServed() throws Exception {
    try (Gateway gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          slow:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
            max_connections_per_endpoint: 1
            max_pending_requests: 2
            timeouts: { connect: 10s }
        routes:
          - { id: slow, match: { path: /** }, upstream: slow }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      long before = upstream.requestsFor("/slow");
      CompletableFuture<HttpResponse<String>> holding = getAsync(gateway, "/slow?ms=1500");
      Poll.until("the first request upstream", () -> upstream.requestsFor("/slow") == before + 1);
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      waiting.add(getAsync(gateway, "/slow?ms=1"));
      waiting.add(getAsync(gateway, "/slow?ms=1"));
      Poll.until("two requests waiting", () -> gateway.server().activeExchanges() == 3);

      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(gateway.uri("/slow?ms=1")).build(), BodyHandlers.ofString());
      assertThat(holding).isNotDone(); // refused while the connection was still busy: nothing queued behind it

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("\"code\":\"UPSTREAM_OVERLOADED\"").contains("Upstream 'slow' is overloaded");
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      assertThat(holding.get().statusCode()).isEqualTo(200);
      for (CompletableFuture<HttpResponse<String>> each : waiting) {
        assertThat(each.get().statusCode()).isEqualTo(200);
      }
      assertThat(counter(gateway, "sluice.upstream.pending_overflow", "upstream", "slow")).isEqualTo(1);
      // the waiting requests gave their places back: the next one is served
      assertThat(client.send(HttpRequest.newBuilder(gateway.uri("/x")).build(), BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void requestBeyondMaxInFlightIsRefusedBeforeRoutingAndGrpcCallersGetUnavailable() throws Exception {
    try (Gateway gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          overload: { max_in_flight: 2 }
        upstreams:
          slow: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: slow, match: { path: /** }, upstream: slow }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      List<CompletableFuture<HttpResponse<String>>> holding =
          List.of(getAsync(gateway, "/slow?ms=1500"), getAsync(gateway, "/slow?ms=1500"));
      Poll.until("two requests in flight", () -> gateway.server().activeExchanges() == 2);

      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(gateway.uri("/other")).build(), BodyHandlers.ofString());
      HttpResponse<String> grpc = client.send(HttpRequest.newBuilder(gateway.uri("/pkg.Service/Method"))
          .header("content-type", "application/grpc").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5])).build(),
          BodyHandlers.ofString());
      assertThat(holding.get(0)).isNotDone();

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("\"code\":\"OVERLOADED\"");
      assertThat(grpc.headers().firstValue("grpc-status")).hasValue("14");
      assertThat(counter(gateway, "sluice.overload.shed", "reason", "in_flight")).isEqualTo(2);
      assertThat(upstream.requestsFor("/other")).isZero();
      for (CompletableFuture<HttpResponse<String>> each : holding) {
        assertThat(each.get().statusCode()).isEqualTo(200);
      }
      assertThat(gateway.send("GET", "/other").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void pastTheKeepAliveThresholdEveryResponseClosesItsConnection() throws Exception {
    String yaml = """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          overload: { heap: { stop_keep_alive: "${STOP}", refuse: 100% } }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: all, match: { path: /** }, upstream: backend }
        """;
    String request = "GET /keep HTTP/1.1\r\nHost: a\r\n\r\n";
    try (Gateway relaxed = Gateway.start(yaml, Map.of("UPSTREAM", String.valueOf(upstream.port()), "STOP", "100%"))) {
      RawHttp.Response kept = relaxed.raw().send(request);
      assertThat(kept.status()).isEqualTo(200);
      assertThat(kept.closed()).isFalse();
    }
    // any heap in use at all is past 0.001%
    try (Gateway pressed = Gateway.start(yaml, Map.of("UPSTREAM", String.valueOf(upstream.port()), "STOP", "0.001%"))) {
      Poll.until("the sampler sees the heap", () -> {
        try {
          return pressed.raw().send(request).closed();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      RawHttp.Response closed = pressed.raw().send(request);
      assertThat(closed.status()).isEqualTo(200); // still served
      assertThat(closed.text()).containsIgnoringCase("connection: close");
      assertThat(closed.closed()).isTrue();
    }
  }

  @Test
  void pastTheKeepAliveThresholdAnHttp2ConnectionGetsGoAwayAfterItsStream() throws Exception {
    try (Gateway gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
          overload: { heap: { stop_keep_alive: 0.001%, refuse: 100% } }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: all, match: { path: /** }, upstream: backend }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      Poll.until("the sampler sees the heap", () -> gateway.server().memoryPressure().equals("stop_keep_alive"));
      try (io.sluice.testing.H2Client client = io.sluice.testing.H2Client.h2c(gateway.port())) {
        assertThat(client.get("/h2").status()).isEqualTo(200); // the stream that saw it is served

        Poll.until("GOAWAY", () -> client.goAway() != null);
        Poll.until("the connection closed", () -> !client.isOpen());
      }
    }
  }

  @Test
  void pastTheRefuseThresholdNewRequestsGetOverloadedAndNothingReachesTheUpstream() throws Exception {
    try (Gateway gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          overload: { direct_memory: { stop_keep_alive: 100%, refuse: 100% }, heap: { stop_keep_alive: 0.001%, refuse: 0.001% } }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: all, match: { path: /** }, upstream: backend }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      Poll.until("refusing", () -> counter(gateway, "sluice.overload.shed", "reason", "memory") > 0 || send(gateway) == 503);
      long before = upstream.requestsFor("/refused");

      HttpResponse<String> refused = gateway.send("GET", "/refused");

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("\"code\":\"OVERLOADED\"").contains("retry later");
      assertThat(upstream.requestsFor("/refused")).isEqualTo(before);
      assertThat(gateway.accessLog()).contains("overload.memory");
      assertThat(gateway.server().meters().find("sluice.overload.level").gauge().value()).isEqualTo(2);
    }
  }

  private static int send(Gateway gateway) {
    try {
      return gateway.send("GET", "/probe").statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
