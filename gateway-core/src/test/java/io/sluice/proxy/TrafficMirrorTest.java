package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mirroring to real upstreams: copies arrive with their bodies, bodies over the bound are not
 * copied, and a mirror that never answers or is down neither fails nor holds up the primary.
 */
class TrafficMirrorTest {

  static TestUpstream primary;
  static TestUpstream shadow;
  /** Accepts connections and never answers. */
  static ServerSocket blackHole;
  static final List<Socket> swallowed = new CopyOnWriteArrayList<>();
  static int closedPort;
  static Gateway gateway;
  /** A client that gives up long before the silent mirror's response timeout (60 s) would end a copy. */
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    primary = new TestUpstream();
    shadow = new TestUpstream();
    blackHole = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      try {
        while (true) {
          swallowed.add(blackHole.accept());
        }
      } catch (java.io.IOException closed) {
        // the test is over
      }
    });
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          primary: { endpoints: [ "http://127.0.0.1:${PRIMARY}" ] }
          shadow: { endpoints: [ "http://127.0.0.1:${SHADOW}" ] }
          silent: { endpoints: [ "http://127.0.0.1:${SILENT}" ], timeouts: { response: 60s } }
          down: { endpoints: [ "http://127.0.0.1:${DOWN}" ] }
        routes:
          - id: mirrored
            match: { path: /mirrored/** }
            upstream: primary
            rewrite: { strip_prefix: /mirrored }
            mirror: { upstream: shadow, percent: 100%, max_body_bytes: 1KiB }
          - id: sampled
            match: { path: /sampled/** }
            upstream: primary
            mirror: { upstream: shadow, percent: 20% }
          - id: silent
            match: { path: /silent/** }
            upstream: primary
            mirror: { upstream: silent }
          - id: down
            match: { path: /down/** }
            upstream: primary
            mirror: { upstream: down }
        """, Map.of("PRIMARY", String.valueOf(primary.port()), "SHADOW", String.valueOf(shadow.port()),
        "SILENT", String.valueOf(blackHole.getLocalPort()), "DOWN", String.valueOf(closedPort)));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    primary.close();
    shadow.close();
    blackHole.close();
    for (Socket socket : swallowed) {
      socket.close();
    }
  }

  private static double mirrored(String route, String result) {
    Counter counter = gateway.server().meters().find("sluice.mirror.requests").tags("route", route, "result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  private static HttpResponse<String> send(String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(10));
    if (body != null) {
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  @Test
  void everyRequestIsCopiedWithItsBodyAndTheMirrorsAnswerIsThrownAway() throws Exception {
    shadow.echoStatus(500); // what the mirror answers never reaches the client
    try {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> response = send("/mirrored/copy?i=" + i, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("GET /copy?i=" + i);
      }
      HttpResponse<String> upload = send("/mirrored/upload", "x".repeat(600));
      assertThat(upload.body()).isEqualTo("received=600");

      Poll.until("the copies answered", () -> mirrored("mirrored", "completed") == 11);
      assertThat(shadow.requestsFor("/copy")).isEqualTo(10);
      assertThat(shadow.uploadedBytes()).isEqualTo(600); // the copy had the whole body
    } finally {
      shadow.echoStatus(200);
    }
  }

  @Test
  void aBodyOverTheBoundIsNotCopied() throws Exception {
    long uploadedBefore = shadow.uploadedBytes();
    double skippedBefore = mirrored("mirrored", "skipped");

    HttpResponse<String> declared = send("/mirrored/upload", "y".repeat(4096));
    HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(gateway.uri("/mirrored/upload"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[4096]))).build(),
        BodyHandlers.ofString());

    assertThat(declared.body()).isEqualTo("received=4096");
    assertThat(chunked.body()).isEqualTo("received=4096");
    Poll.until("both counted as skipped", () -> mirrored("mirrored", "skipped") == skippedBefore + 2);
    gateway.awaitAccessLog();
    assertThat(shadow.uploadedBytes()).isEqualTo(uploadedBefore);
  }

  @Test
  void aShareOfRequestsIsCopied() throws Exception {
    for (int i = 0; i < 300; i++) {
      send("/sampled/share", null);
    }
    gateway.awaitAccessLog();
    Poll.until("the copies answered", () -> mirrored("sampled", "completed") == shadow.requestsFor("/sampled/share"));
    // 20% of 300 is 60, with a standard deviation of about 7
    assertThat(shadow.requestsFor("/sampled/share")).isBetween(30L, 90L);
    assertThat(primary.requestsFor("/sampled/share")).isEqualTo(300);
  }

  @Test
  void aMirrorThatNeverAnswersDoesNotHoldUpThePrimary() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(send("/silent/get", null).statusCode()).isEqualTo(200);
      assertThat(send("/silent/upload", "z".repeat(100)).body()).isEqualTo("POST /silent/upload");
    }

    // every copy is still waiting for its answer (60 s) while all the primary's answers are in
    Poll.until("copies reached the silent mirror", () -> !swallowed.isEmpty());
    assertThat(mirrored("silent", "completed") + mirrored("silent", "failed")).isZero();
    assertThat(primary.requestsFor("/silent/get")).isEqualTo(20);
  }

  @Test
  void aMirrorThatIsDownDoesNotFailThePrimary() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(send("/down/get", null).statusCode()).isEqualTo(200);
    }

    Poll.until("every copy failed", () -> mirrored("down", "failed") == 10);
    assertThat(gateway.accessLog()).doesNotContain("UPSTREAM_UNAVAILABLE");
  }

  @Test
  void grpcWebRequestsAreNotCopied() throws Exception {
    double skippedBefore = mirrored("mirrored", "skipped");
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/mirrored/pkg.Service/Call"))
        .header("content-type", "application/grpc-web+proto")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 0, 0, 0, 0})).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    Poll.until("counted as skipped", () -> mirrored("mirrored", "skipped") == skippedBefore + 1);
    gateway.awaitAccessLog();
    assertThat(shadow.requestsFor("/pkg.Service/Call")).isZero();
  }
}
