package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Concurrency slots given back however an exchange ends, delay mode, and gRPC callers. */
class InFlightAndDelayTest {

  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static TestUpstream upstream;
  static GrpcTestServer grpc;
  static Gateway gateway;
  static GrpcTestClient grpcClient;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    grpc = GrpcTestServer.start();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ], timeouts: { response: 1s } }
          patient: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ], timeouts: { response: 30s } }
          grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
        routes:
          - id: two-at-once
            match: { path: /slow/** }
            upstream: backend
            rewrite: { strip_prefix: /slow }
            plugins:
              - rate_limit: { algorithm: concurrency, limit: 2, key: global }
          - id: held
            match: { path: /held/** }
            upstream: patient
            rewrite: { strip_prefix: /held }
            plugins:
              - rate_limit: { algorithm: concurrency, limit: 2, key: global }
          - id: smooth
            match: { path: /smooth/** }
            upstream: backend
            plugins:
              - rate_limit: { algorithm: leaky_bucket, limit: 10, window: 1s, key: global, on_limit: delay, max_delay: 300ms }
          - id: echo
            match: { path: "/test.Echo/*" }
            upstream: grpc
            plugins:
              - rate_limit: { algorithm: fixed_window, limit: 1, window: 1h, key: global }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "GRPC", String.valueOf(grpc.port())));
    grpcClient = GrpcTestClient.plaintext("127.0.0.1", gateway.port());
  }

  @AfterAll
  static void stop() throws Exception {
    grpcClient.close();
    gateway.close();
    grpc.close();
    upstream.close();
  }

  @Test
  void concurrencyCountsInFlightExchangesAndGivesSlotsBackOnCompletionAndTimeout() throws Exception {
    long before = upstream.requestsFor("/slow");
    Socket first = slowRequest(800);
    Socket second = slowRequest(5000); // the upstream times out at 1 s
    // both hold their slot before anything else asks: a request sent earlier could take one of the two
    Poll.until("two requests in flight", () -> upstream.requestsFor("/slow") == before + 2);
    assertThat(status("/slow/x")).isEqualTo(429);

    assertThat(statusLine(first)).startsWith("HTTP/1.1 200");
    assertThat(statusLine(second)).startsWith("HTTP/1.1 504");
    first.close();
    second.close();
    // both slots are back: two may be in flight at once again
    Socket third = slowRequest(300);
    Socket fourth = slowRequest(300);
    assertThat(statusLine(third)).startsWith("HTTP/1.1 200");
    assertThat(statusLine(fourth)).startsWith("HTTP/1.1 200");
    third.close();
    fourth.close();
  }

  private static Socket slowRequest(int millis) throws Exception {
    return slowRequest("/slow", millis);
  }

  private static Socket slowRequest(String route, int millis) throws Exception {
    Socket socket = gateway.raw().open();
    socket.getOutputStream().write(("GET " + route + "/slow?ms=" + millis + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  private static String statusLine(Socket socket) throws Exception {
    socket.setSoTimeout(10_000);
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = socket.getInputStream().read()) >= 0 && c != '\r') {
      line.append((char) c);
    }
    return line.toString();
  }

  @Test
  void clientsThatGoAwayGiveTheirSlotsBack() throws Exception {
    // on a route whose upstream waits 30 s: the requests stay in flight until their clients go,
    // however slowly a busy machine runs the test
    long before = upstream.requestsFor("/slow");
    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      clients.add(slowRequest("/held", 20_000));
    }
    // both hold their slot before anything else asks: a request sent earlier could take one of the
    // two, and the held request refused meanwhile would never be in flight
    Poll.until("two requests in flight", () -> upstream.requestsFor("/slow") == before + 2);
    assertThat(status("/held/x")).isEqualTo(429);

    for (Socket socket : clients) {
      socket.close();
    }

    Poll.until("every slot given back", () -> status("/held/x") == 200);
  }

  private static int status(String path) {
    try {
      return gateway.send("GET", path).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void delayModeHoldsRequestsUntilTheirTurnInsteadOfRejecting() throws Exception {
    assertBurstIsSmoothed(gateway, "/smooth/");
  }

  /**
   * Ten requests at once to a leaky bucket of 10 per second with {@code max_delay: 300ms}: one at
   * once, then one every 100 ms for up to 300 ms; the rest would wait longer and are refused.
   */
  static void assertBurstIsSmoothed(Gateway gateway, String path) throws Exception {
    // ten connections opened first (no route: 404), so that the burst arrives at once even on a
    // busy machine, where opening them during the burst would spread it over the bucket's time
    List<CompletableFuture<HttpResponse<String>>> opening = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      opening.add(CLIENT.sendAsync(HttpRequest.newBuilder(gateway.uri("/no-route/" + i)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> request : opening) {
      assertThat(request.get().statusCode()).isEqualTo(404);
    }
    long start = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      burst.add(CLIENT.sendAsync(HttpRequest.newBuilder(gateway.uri(path + i)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    int allowed = 0;
    for (CompletableFuture<HttpResponse<String>> request : burst) {
      int status = request.get().statusCode();
      assertThat(status).isIn(200, 429);
      allowed += status == 200 ? 1 : 0;
    }

    assertThat(allowed).isBetween(3, 5);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void grpcCallersGetResourceExhausted() throws Exception {
    GrpcResult allowed = grpcClient.call(EchoService.UNARY, List.of(new byte[] {1}));
    GrpcResult refused = grpcClient.call(EchoService.UNARY, List.of(new byte[] {1}));

    assertThat(allowed.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(refused.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.status().getDescription()).startsWith("Rate limit of 1 per 1h exceeded");
  }
}
