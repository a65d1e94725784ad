package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Poll;
import io.sluice.testing.Gateway;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upstreams that are down, slow, broken or busy, and clients that go away. */
class UpstreamFailureTest {

  static TestUpstream upstream;
  static Gateway gateway;
  static int closedPort;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
            timeouts: { connect: 300ms, response: 2s }
            max_connections_per_endpoint: 1
          down:
            endpoints: [ "http://127.0.0.1:${CLOSED}" ]
        routes:
          - id: slow
            match: { path: /slow }
            upstream: backend
            timeout: 250ms
          - id: long-slow
            match: { path: /long-slow }
            upstream: backend
            rewrite: { path: /slow }
          - id: down
            match: { path: /down/** }
            upstream: down
          - id: backend
            match: { path: /** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "CLOSED", String.valueOf(closedPort)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(gateway.uri(path)).build(), BodyHandlers.ofString());
  }

  @Test
  void refusedConnectionIs502() throws Exception {
    HttpResponse<String> response = get("/down/x");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"code\":\"UPSTREAM_UNAVAILABLE\"").contains("Upstream 'down' is unavailable");
    assertThat(gateway.accessLog()).contains("UPSTREAM_UNAVAILABLE upstream \"connect to http://127.0.0.1:" + closedPort);
  }

  @Test
  void slowUpstreamIs504() throws Exception {
    HttpResponse<String> response = get("/slow?ms=1500");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("\"code\":\"UPSTREAM_TIMEOUT\"").contains("did not respond within 250ms");
  }

  @Test
  void malformedUpstreamResponseIs502() throws Exception {
    HttpResponse<String> response = get("/malformed");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("sent an invalid response");
  }

  @Test
  void upstreamDyingMidResponseCutsTheClientResponse() throws Exception {
    RawHttp.Response response = gateway.raw().send("GET /die?after=1000 HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).containsIgnoringCase("content-length: 1048576");
    assertThat(response.closed()).isTrue();
    int bodyStart = response.text().indexOf("\r\n\r\n") + 4;
    assertThat(response.text().length() - bodyStart).isEqualTo(1000);
  }

  @Test
  void clientDisconnectingMidUploadAbortsTheUpstreamRequest() throws Exception {
    int abortedBefore = upstream.abortedUploads();
    long uploadedBefore = upstream.uploadedBytes();
    try (var socket = gateway.raw().open()) {
      socket.getOutputStream().write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".getBytes());
      socket.getOutputStream().write(new byte[20_000]);
      socket.getOutputStream().flush();
      Poll.until("the upload reached the upstream", () -> upstream.uploadedBytes() > uploadedBefore);
    }
    Poll.until("the upstream request aborted", () -> upstream.abortedUploads() > abortedBefore);
    assertThat(upstream.abortedUploads()).isEqualTo(abortedBefore + 1);
    assertThat(get("/after-abort").statusCode()).isEqualTo(200);
  }

  @Test
  void requestsWaitForAFreeConnectionAtTheCap() throws Exception {
    int connectionsBefore = upstream.connections();
    // Cap is 1 per endpoint and loop: the second waits for the first, within the connect timeout.
    List<CompletableFuture<HttpResponse<String>>> calls = List.of(
        client.sendAsync(HttpRequest.newBuilder(gateway.uri("/long-slow?ms=100")).build(), BodyHandlers.ofString()),
        client.sendAsync(HttpRequest.newBuilder(gateway.uri("/long-slow?ms=100")).build(), BodyHandlers.ofString()));
    for (var call : calls) {
      assertThat(call.get().statusCode()).isEqualTo(200);
    }
    assertThat(upstream.connections() - connectionsBefore).isLessThanOrEqualTo(1);
  }

  @Test
  void busyPoolAnswers503WhenNoConnectionFreesUpInTime() throws Exception {
    long slowBefore = upstream.requestsFor("/slow"); // the route rewrites /long-slow to /slow
    var blocker = client.sendAsync(HttpRequest.newBuilder(gateway.uri("/long-slow?ms=1000")).build(), BodyHandlers.ofString());
    Poll.until("the blocker holds the connection", () -> upstream.requestsFor("/slow") > slowBefore);
    HttpResponse<String> waiting = get("/third");

    assertThat(waiting.statusCode()).isEqualTo(503);
    assertThat(waiting.body()).contains("\"code\":\"NO_HEALTHY_ENDPOINT\"");
    blocker.get();
  }
}
