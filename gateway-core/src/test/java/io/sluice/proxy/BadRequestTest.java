package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Poll;
import io.sluice.testing.Gateway;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed, ambiguous and oversized requests: refused with our error shape, nothing forwarded. */
class BadRequestTest {

  static TestUpstream upstream;
  static Gateway gateway;
  /** Allows chunk lines longer than request lines. */
  static Gateway longChunkLines;
  int requestsBefore;
  long uploadedBefore;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          limits:
            max_request_line_bytes: 1KiB
            max_header_bytes: 2KiB
            max_header_count: 20
            max_body_bytes: 1KiB
            request_header_timeout: 400ms
            request_body_timeout: 400ms
            min_request_body_rate: 1KiB
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: admin
            match: { path: /admin/** }
            respond: { status: 200, body: "admin" }
          - id: public
            match: { path: /public/**, host: api.test }
            upstream: backend
          - id: readonly
            match: { path: /readonly, methods: [GET, HEAD] }
            upstream: backend
          - id: big
            match: { path: /big/** }
            upstream: backend
            max_body_bytes: 4KiB
          - id: any
            match: { path: /upload }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
    longChunkLines = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          limits: { max_request_line_bytes: 1KiB, max_chunk_line_bytes: 4KiB }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: any
            match: { path: /** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    longChunkLines.close();
    upstream.close();
  }

  @BeforeEach
  void countRequests() {
    requestsBefore = upstream.requests().size();
    uploadedBefore = upstream.uploadedBytes();
  }

  /**
   * The head of a request cut short after it started upstream may still be on its way there: let it
   * land (or a second pass) before the next test counts what reached the upstream.
   */
  private void letACutRequestLand() throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    while (upstream.requests().size() == requestsBefore && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private RawHttp.Response send(String request) throws Exception {
    return gateway.raw().send(request);
  }

  private void assertRefused(RawHttp.Response response, int status, String code) {
    assertThat(response.status()).as(response.text()).isEqualTo(status);
    assertThat(response.text()).contains("{\"error\":{\"code\":\"" + code + "\",\"message\":");
    assertThat(response.text()).contains("\"request_id\":\"");
    assertThat(response.text()).containsIgnoringCase("content-type: application/json");
    assertThat(upstream.requests()).as("forwarded upstream").hasSize(requestsBefore);
  }

  @Test
  void unknownPathIs404WithTheErrorShape() throws Exception {
    RawHttp.Response response = send("GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertRefused(response, 404, "NO_ROUTE");
    assertThat(response.text()).contains("No route matches GET /nothing");
  }

  @Test
  void wrongMethodIs405WithAllow() throws Exception {
    RawHttp.Response response = send("DELETE /readonly HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertRefused(response, 405, "METHOD_NOT_ALLOWED");
    assertThat(response.text()).contains("Allow: GET, HEAD");
  }

  @Test
  void tooLongRequestLineIs414() throws Exception {
    assertRefused(send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "URI_TOO_LONG");
  }

  @Test
  void aChunkLineWithAHugeExtensionIs400NotATooLongRequestLine() throws Exception {
    RawHttp.Response response = send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3;ext=" + "e".repeat(2_000) + "\r\nabc\r\n0\r\n\r\n");

    assertRefused(response, 400, "BAD_REQUEST");
    assertThat(response.text()).contains("\"message\":\"Chunk size line is too long (the limit is 1024 bytes, chunk extensions included)\"");
    assertThat(response.closed()).isTrue();
    assertThat(upstream.uploadedBytes()).isEqualTo(uploadedBefore);
  }

  @Test
  void aRaisedChunkLineLimitAdmitsLongChunkLinesButNotLongerRequestLines() throws Exception {
    RawHttp.Response chunked = longChunkLines.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n3;ext=" + "e".repeat(3_000) + "\r\nabc\r\n0\r\n\r\n");
    assertThat(chunked.status()).as(chunked.text()).isEqualTo(200);
    assertThat(chunked.text()).endsWith("received=3");

    RawHttp.Response tooLong = longChunkLines.raw().send("GET /" + "a".repeat(2_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(tooLong.status()).isEqualTo(414);
    assertThat(tooLong.text()).contains("{\"error\":{\"code\":\"URI_TOO_LONG\",\"message\":\"Request line is too long\"}");

    RawHttp.Response tooLongChunk = longChunkLines.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3;ext=" + "e".repeat(5_000) + "\r\nabc\r\n0\r\n\r\n");
    assertThat(tooLongChunk.status()).isEqualTo(400);
    assertThat(tooLongChunk.text()).contains("the limit is 4096 bytes");
  }

  @Test
  void tooLargeTrailersAre431() throws Exception {
    RawHttp.Response response = send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\n0\r\nX-Trailer: " + "t".repeat(3_000) + "\r\n\r\n");

    // the head may have gone upstream already; the exchange is cut, so the upstream never gets a complete request
    assertThat(response.status()).isEqualTo(431);
    assertThat(response.text()).contains("{\"error\":{\"code\":\"HEADERS_TOO_LARGE\",\"message\":\"Request trailer fields are too large\"}");
    assertThat(response.closed()).isTrue();
    letACutRequestLand();
  }

  @Test
  void tooLargeHeadersAre431() throws Exception {
    assertRefused(send("GET /upload HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n"), 431, "HEADERS_TOO_LARGE");
  }

  @Test
  void tooManyHeadersAre431() throws Exception {
    StringBuilder request = new StringBuilder("GET /upload HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 25; i++) {
      request.append("X-H").append(i).append(": v\r\n");
    }
    assertRefused(send(request.append("\r\n").toString()), 431, "HEADERS_TOO_LARGE");
  }

  @Test
  void declaredBodyOverTheLimitIs413BeforeReading() throws Exception {
    RawHttp.Response response = send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    assertRefused(response, 413, "PAYLOAD_TOO_LARGE");
    assertThat(response.closed()).isTrue();
  }

  @Test
  void aRouteCanRaiseItsBodyLimit() throws Exception {
    RawHttp.Response response = send("POST /big/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\nConnection: close\r\n\r\n"
        + "z".repeat(3000));
    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void streamedBodyOverTheLimitIs413AndNeverCompletesUpstream() throws Exception {
    String chunk = Integer.toHexString(800) + "\r\n" + "c".repeat(800) + "\r\n";
    RawHttp.Response response = send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunk + chunk + "0\r\n\r\n");
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.text()).containsIgnoringCase("connection: close");
    assertThat(response.closed()).isTrue();
    Thread.sleep(100); // proving the rest of the body never arrives takes waiting: what was sent may be in flight
    assertThat(upstream.uploadedBytes() - uploadedBefore).isLessThan(1600);
    letACutRequestLand();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // both framings: the classic CL.TE / TE.CL smuggling vector
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n",
      // duplicate, differing Content-Length
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
      // duplicate, equal Content-Length
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
      // non-numeric Content-Length
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4a\r\n\r\nabcd",
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\nabcd",
      // Transfer-Encoding other than exactly chunked
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
      "POST /upload HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      // invalid chunk size
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
      // CR, LF or NUL inside header names or values; whitespace before the colon
      "GET /upload HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: x\r\nX-B\0ad: ab\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: x\r\nX-Bad : ab\r\n\r\n",
      // Host missing, doubled or malformed
      "GET /upload HTTP/1.1\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: a b\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: a/b\r\n\r\n",
      "GET /upload HTTP/1.1\r\nHost: a:99999\r\n\r\n",
      // request targets that are not origin or absolute form
      "GET upload HTTP/1.1\r\nHost: x\r\n\r\n",
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
      // encoded slash, backslash, NUL
      "GET /public/a%2Fb HTTP/1.1\r\nHost: api.test\r\n\r\n",
      "GET /public/a%5cb HTTP/1.1\r\nHost: api.test\r\n\r\n",
      "GET /public/a\\b HTTP/1.1\r\nHost: api.test\r\n\r\n",
      "GET /public/%00 HTTP/1.1\r\nHost: api.test\r\n\r\n",
      "GET /public/%zz HTTP/1.1\r\nHost: api.test\r\n\r\n",
  })
  void ambiguousOrMalformedRequestsAreRefusedAndTheConnectionClosed(String request) throws Exception {
    RawHttp.Response response = send(request);
    assertThat(response.status()).as(response.text()).isIn(400, 405);
    assertThat(response.text()).contains("\"error\":{\"code\":\"");
    assertThat(response.closed()).isTrue();
    Thread.sleep(50); // proving that nothing reaches the upstream takes waiting
    assertThat(upstream.requests()).as("forwarded upstream").hasSize(requestsBefore);
    assertThat(upstream.uploadedBytes()).isEqualTo(uploadedBefore);
  }

  @Test
  void http09IsRefused() throws Exception {
    RawHttp.Response response = send("GET /upload\r\n\r\n");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.closed()).isTrue();
    assertThat(upstream.requests()).hasSize(requestsBefore);
  }

  @Test
  void unknownHttpVersionIs505() throws Exception {
    RawHttp.Response response = send("GET /upload HTTP/1.7\r\nHost: x\r\n\r\n");
    assertRefused(response, 505, "HTTP_VERSION_NOT_SUPPORTED");
    assertThat(send("GET /upload HTTP/2.0\r\nHost: x\r\n\r\n").status()).isEqualTo(505);
  }

  @Test
  void dotSegmentsCannotEscapeTheMatchedRoute() throws Exception {
    for (String path : new String[] {"/public/../admin/x", "/public/%2e%2e/admin/x", "/public/%2E%2E/admin/x", "/public/./../admin/x"}) {
      RawHttp.Response response = send("GET " + path + " HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n");
      // The normalized path is /admin/x: the admin route answers, the public upstream never sees it.
      assertThat(response.status()).as(path).isEqualTo(200);
      assertThat(response.text()).as(path).endsWith("admin");
    }
    assertThat(upstream.requests()).hasSize(requestsBefore);
  }

  @Test
  void upstreamReceivesTheNormalizedPath() throws Exception {
    RawHttp.Response response = send("GET /public//a/./b/../c%7e HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n");
    assertThat(response.text()).endsWith("GET /public/a/c~");
    assertThat(send("GET /ADMIN/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status()).isEqualTo(404);
  }

  @Test
  void absoluteFormRoutesByItsAuthorityAndNeverContactsThatHost() throws Exception {
    RawHttp.Response routed = send("GET http://api.test/public/x HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n");
    assertThat(routed.status()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("host")).isEqualTo("api.test");

    RawHttp.Response elsewhere = send("GET http://evil.example/public/x HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n");
    assertThat(elsewhere.status()).isEqualTo(404);
  }

  @Test
  void slowRequestHeadersAreCutWith408() throws Exception {
    try (var socket = gateway.raw().open()) {
      socket.getOutputStream().write("GET /upload HTTP/1.1\r\nHost: x\r\n".getBytes());
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes()); // until the gateway gives up and closes
      assertThat(answer).startsWith("HTTP/1.1 408");
      assertThat(answer).contains("REQUEST_TIMEOUT");
    }
  }

  @Test
  void tricklingBodiesAreCutAndNeverForwardedComplete() throws Exception {
    try (var socket = gateway.raw().open()) {
      var out = socket.getOutputStream();
      out.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".getBytes());
      long end = System.nanoTime() + 2_000_000_000L;
      try {
        while (System.nanoTime() < end) {
          out.write('x');
          out.flush();
          Thread.sleep(100); // a byte every 100 ms: the slow client is the point
        }
      } catch (java.io.IOException closed) {
        // the gateway cut us off: expected
      }
      String answer = new String(socket.getInputStream().readAllBytes());
      assertThat(answer).startsWith("HTTP/1.1 408");
    }
    Poll.until("the upstream request aborted", () -> upstream.abortedUploads() >= 1);
  }

  @Test
  void anIdleKeepAliveConnectionIsNotMistakenForASlowRequest() throws Exception {
    try (var socket = gateway.raw().open()) {
      var out = socket.getOutputStream();
      var in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      out.write("GET /admin/a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      assertThat(new String(buffer, 0, in.read(buffer))).startsWith("HTTP/1.1 200").endsWith("admin");

      Thread.sleep(800); // twice the request-header deadline, well within keep-alive

      out.write("GET /admin/b HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      assertThat(new String(buffer, 0, in.read(buffer))).startsWith("HTTP/1.1 200").endsWith("admin");
    }
  }

  @Test
  void idleConnectionsWithoutARequestAreClosedQuietly() throws Exception {
    try (var socket = gateway.raw().open()) {
      assertThat(socket.getInputStream().read()).as("closed without a byte").isEqualTo(-1);
    }
  }
}
