package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Poll;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cleartext HTTP/2 upstreams (h2c): requests from HTTP/1.1 clients become streams on few shared connections. */
class Http2UpstreamTest {

  static H2TestUpstream plain;
  static H2TestUpstream tenStreams;
  static H2TestUpstream oneStream;
  static H2TestUpstream oneStreamCapped;
  static H2TestUpstream goingAway;
  static H2TestUpstream idle;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    plain = H2TestUpstream.h2c(100);
    tenStreams = H2TestUpstream.h2c(10);
    oneStream = H2TestUpstream.h2c(1);
    oneStreamCapped = H2TestUpstream.h2c(1);
    goingAway = H2TestUpstream.h2c(100);
    idle = H2TestUpstream.h2c(100);
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          plain: { protocol: h2c, endpoints: [ "http://127.0.0.1:${PLAIN}" ], timeouts: { connect: 1s, response: 5s } }
          ten: { protocol: h2c, endpoints: [ "http://127.0.0.1:${TEN}" ] }
          one: { protocol: h2c, endpoints: [ "http://127.0.0.1:${ONE}" ] }
          capped: { protocol: h2c, endpoints: [ "http://127.0.0.1:${CAPPED}" ], max_connections_per_endpoint: 2 }
          away: { protocol: h2c, endpoints: [ "http://127.0.0.1:${AWAY}" ] }
          idle: { protocol: h2c, endpoints: [ "http://127.0.0.1:${IDLE}" ], timeouts: { idle: 200ms } }
        routes:
          - { id: ten, match: { path: /ten/** }, upstream: ten, rewrite: { strip_prefix: /ten } }
          - { id: one, match: { path: /one/** }, upstream: one, rewrite: { strip_prefix: /one } }
          - { id: capped, match: { path: /capped/** }, upstream: capped, rewrite: { strip_prefix: /capped } }
          - { id: away, match: { path: /away/** }, upstream: away, rewrite: { strip_prefix: /away } }
          - { id: idle, match: { path: /idle/** }, upstream: idle, rewrite: { strip_prefix: /idle } }
          - { id: plain, match: { path: /** }, upstream: plain }
        """, Map.of("PLAIN", port(plain), "TEN", port(tenStreams), "ONE", port(oneStream), "CAPPED", port(oneStreamCapped),
        "AWAY", port(goingAway), "IDLE", port(idle)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    for (H2TestUpstream upstream : List.of(plain, tenStreams, oneStream, oneStreamCapped, goingAway, idle)) {
      upstream.close();
    }
  }

  private static String port(H2TestUpstream upstream) {
    return String.valueOf(upstream.port());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(gateway.uri(path)).build(), BodyHandlers.ofString());
  }

  private static List<HttpResponse<String>> concurrently(int count, String path) {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      calls.add(client.sendAsync(HttpRequest.newBuilder(gateway.uri(path)).build(), BodyHandlers.ofString()));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    Poll.until("the condition", condition);
  }

  @Test
  void getIsForwardedAsAStreamAndAnsweredWithoutHttp2ExtensionHeaders() throws Exception {
    HttpResponse<String> response = get("/hello?x=1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /hello?x=1");
    assertThat(response.headers().firstValue("x-path")).hasValue("/hello?x=1");
    assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("x-http2-"));
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    var seen = plain.lastRequest();
    assertThat(seen.scheme().toString()).isEqualTo("http");
    assertThat(seen.authority().toString()).isEqualTo("127.0.0.1:" + gateway.port());
    assertThat(seen.contains("via")).isTrue();
    assertThat(seen.contains("connection")).isFalse();
    assertThat(seen.contains("te")).isFalse();
  }

  @Test
  void teTrailersReachesTheUpstreamButOtherTeValuesDoNot() throws Exception {
    var trailers = gateway.raw().send("GET /te HTTP/1.1\r\nHost: x\r\nTE: gzip, trailers\r\nConnection: TE, close\r\n\r\n");
    var gzip = gateway.raw().send("GET /te HTTP/1.1\r\nHost: x\r\nTE: gzip\r\nConnection: TE, close\r\n\r\n");

    assertThat(trailers.status()).isEqualTo(200);
    assertThat(trailers.text()).containsIgnoringCase("x-echo-te: trailers\r\n");
    assertThat(gzip.status()).isEqualTo(200);
    assertThat(gzip.text()).doesNotContainIgnoringCase("x-echo-te");
  }

  @Test
  void postBodiesAreForwarded() throws Exception {
    var post = HttpRequest.newBuilder(gateway.uri("/echo")).POST(BodyPublishers.ofString("hello h2")).build();

    HttpResponse<String> response = client.send(post, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello h2");
    assertThat(response.headers().firstValue("x-method")).hasValue("POST");
  }

  @Test
  void severalMebibytesStreamBothWays() throws Exception {
    byte[] body = BodyPattern.bytes(6 * 1024 * 1024);
    var upload = HttpRequest.newBuilder(gateway.uri("/upload")).POST(BodyPublishers.ofByteArray(body)).build();

    HttpResponse<String> uploaded = client.send(upload, BodyHandlers.ofString());
    HttpResponse<byte[]> downloaded = client.send(HttpRequest.newBuilder(gateway.uri("/download?bytes=" + body.length)).build(),
        BodyHandlers.ofByteArray());

    assertThat(uploaded.body()).isEqualTo("received=" + body.length);
    assertThat(uploaded.headers().firstValue(BodyPattern.CHECK_HEADER)).hasValue(BodyPattern.INTACT);
    assertThat(downloaded.statusCode()).isEqualTo(200);
    BodyPattern.assertIntact(downloaded.body(), body.length);
  }

  @Test
  void trailersPassThroughBothWays() throws Exception {
    var response = gateway.raw().send("POST /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\nx-request-sum: 42\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).containsIgnoringCase("transfer-encoding: chunked");
    assertThat(response.text()).contains("part1-part2");
    assertThat(response.text()).containsIgnoringCase("x-checksum: abc").containsIgnoringCase("grpc-status: 0");
    assertThat(plain.lastTrailers().get("x-request-sum").toString()).isEqualTo("42");
  }

  @Test
  void concurrentRequestsShareConnectionsUpToTheStreamLimit() {
    List<HttpResponse<String>> responses = concurrently(25, "/ten/slow?ms=400");

    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(tenStreams.streams()).isEqualTo(25);
    // ceil(25 / 10): a connection is opened only when the others are at SETTINGS_MAX_CONCURRENT_STREAMS
    assertThat(tenStreams.connections()).isEqualTo(3);
  }

  @Test
  void aStreamLimitOfOneOpensAConnectionPerConcurrentRequest() {
    List<HttpResponse<String>> responses = concurrently(3, "/one/slow?ms=300");

    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(oneStream.connections()).isEqualTo(3);
  }

  @Test
  void requestsWaitForAStreamWhenConnectionsAreCapped() {
    List<HttpResponse<String>> responses = concurrently(3, "/capped/slow?ms=300");

    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(oneStreamCapped.streams()).isEqualTo(3);
    assertThat(oneStreamCapped.connections()).isEqualTo(2);
  }

  @Test
  void goAwayDrainsTheConnectionAndTheRefusedRequestIsRetriedOnANewOne() throws Exception {
    get("/away/warm-up");
    eventually(() -> goingAway.openConnections() == 1);
    int connectionsBefore = goingAway.connections();
    int streamsBefore = goingAway.streams();
    CompletableFuture<HttpResponse<String>> inFlight =
        client.sendAsync(HttpRequest.newBuilder(gateway.uri("/away/slow?ms=600")).build(), BodyHandlers.ofString());
    eventually(() -> goingAway.streams() == streamsBefore + 1);
    goingAway.armGoAway();

    HttpResponse<String> refusedThenRetried = get("/away/goaway");

    assertThat(refusedThenRetried.statusCode()).isEqualTo(200);
    assertThat(refusedThenRetried.body()).isEqualTo("GET /goaway");
    assertThat(goingAway.streams()).isEqualTo(streamsBefore + 3);
    assertThat(goingAway.connections()).isEqualTo(connectionsBefore + 1);
    // the stream the upstream had accepted before its GOAWAY completes on the draining connection
    assertThat(inFlight.join().body()).isEqualTo("slow");
    eventually(() -> goingAway.openConnections() == 1);
    assertThat(get("/away/after").statusCode()).isEqualTo(200);
    assertThat(goingAway.connections()).isEqualTo(connectionsBefore + 1);
  }

  @Test
  void aRefusedRequestWhoseBodyWasSentIsNotRetried() throws Exception {
    get("/away/warm-up");
    int streamsBefore = goingAway.streams();
    goingAway.armGoAway();
    var post = HttpRequest.newBuilder(gateway.uri("/away/goaway")).POST(BodyPublishers.ofString("cannot be sent twice")).build();

    HttpResponse<String> response = client.send(post, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"code\":\"UPSTREAM_UNAVAILABLE\"");
    assertThat(goingAway.streams()).isEqualTo(streamsBefore + 1);
  }

  @Test
  void aStreamRefusedWithRstStreamIsRetried() throws Exception {
    plain.armRefuse();
    int streamsBefore = plain.streams();

    HttpResponse<String> response = get("/refuse");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /refuse");
    assertThat(plain.streams()).isEqualTo(streamsBefore + 2);
  }

  @Test
  void aRefusedStreamIsRetriedWhateverItsMethodAsTheUpstreamNeverProcessedIt() throws Exception {
    plain.armRefuse();
    int streamsBefore = plain.streams();
    var post = HttpRequest.newBuilder(gateway.uri("/refuse")).POST(BodyPublishers.noBody()).build();

    HttpResponse<String> response = client.send(post, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("POST /refuse");
    assertThat(plain.streams()).isEqualTo(streamsBefore + 2);
  }

  @Test
  void connectionsWithoutStreamsExpireAfterTheIdleTimeout() throws Exception {
    assertThat(get("/idle/x").statusCode()).isEqualTo(200);
    assertThat(idle.openConnections()).isEqualTo(1);

    eventually(() -> idle.openConnections() == 0);
    assertThat(get("/idle/y").statusCode()).isEqualTo(200);
    assertThat(idle.connections()).isEqualTo(2);
  }
}
