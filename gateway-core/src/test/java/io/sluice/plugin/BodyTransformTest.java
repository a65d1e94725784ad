package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2TestUpstream;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.BodyTestPlugins;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plugins that transform bodies as they stream ({@code BodyAccess.transformed()}): what the
 * upstream and the client get, framing without a length, chains, large bodies that must stream
 * (with backpressure), and transformers that fail part-way.
 */
class BodyTransformTest {

  static final int MIB = 1024 * 1024;

  static TestUpstream upstream;
  /** The upstream of the failure tests, and the one of the mid-stream failure alone, whose connections are counted. */
  static TestUpstream failing;
  static TestUpstream cut;
  static BodyUpstream bodies;
  static H2TestUpstream h2Upstream;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    failing = new TestUpstream();
    cut = new TestUpstream();
    bodies = new BodyUpstream();
    h2Upstream = H2TestUpstream.h2c(100);
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          limits: { max_body_bytes: 256MiB }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
          failing: { endpoints: [ "http://127.0.0.1:${FAILING}" ] }
          cut: { endpoints: [ "http://127.0.0.1:${CUT}" ] }
          bodies: { endpoints: [ "http://127.0.0.1:${BODIES}" ] }
          h2: { protocol: h2c, endpoints: [ "http://127.0.0.1:${H2}" ] }
        routes:
          - { id: upper, match: { path: /upper/** }, upstream: backend,
              plugins: [ { test_transform: { response: true, op: upper } } ] }
          - { id: upper-203, match: { path: /upper-203/** }, upstream: backend,
              plugins: [ { test_transform: { response: true, op: upper, status: 203 } } ] }
          - { id: maybe, match: { path: /maybe/** }, upstream: backend,
              plugins: [ { test_transform: { response: true, op: upper, only_if_header: x-transform } } ] }
          - { id: held, match: { path: /held/** }, upstream: backend,
              plugins: [ { test_transform: { response: true, op: upper, hold_all: true, suffix: "!" } } ] }
          - { id: chain, match: { path: /chain/** }, upstream: backend,
              plugins: [ { test_transform: { response: true, op: upper } }, { test_append: { suffix: "-end" } } ] }
          - { id: gzip, match: { path: /gzip/** }, upstream: backend, rewrite: { strip_prefix: /gzip },
              plugins: [ { test_gzip: {} } ] }
          - { id: upper-gzip, match: { path: /upper-gzip/** }, upstream: backend,
              plugins: [ { test_transform: { response: true, op: upper } }, { test_gzip: {} } ] }
          - { id: fail-early, match: { path: /fail-early/** }, upstream: failing,
              plugins: [ { test_transform: { response: true, op: upper, fail_after: 1 } } ] }
          - { id: fail-late, match: { path: /fail-late/** }, upstream: cut,
              rewrite: { strip_prefix: /fail-late },
              plugins: [ { test_transform: { response: true, op: upper, fail_after: 200000 } } ] }
          - { id: fail-late-h2, match: { path: /fail-late-h2/** }, upstream: failing,
              rewrite: { strip_prefix: /fail-late-h2 },
              plugins: [ { test_transform: { response: true, op: upper, fail_after: 200000 } } ] }
          - { id: fail-request, match: { path: /upload }, upstream: failing,
              plugins: [ { test_transform: { request: true, fail_after: 100000 } } ] }
          - { id: request-upper, match: { path: /request-upper/** }, upstream: bodies,
              rewrite: { strip_prefix: /request-upper },
              plugins: [ { test_transform: { request: true, op: upper } }, { test_append: { suffix: "-end" } } ] }
          - { id: h2-upstream, match: { path: /h2-upstream/** }, upstream: h2,
              plugins: [ { test_transform: { request: true, response: true, op: upper } }, { test_append: { suffix: "-end" } } ] }
          - { id: judged-then-upper, match: { path: /judged/** }, upstream: bodies,
              rewrite: { strip_prefix: /judged },
              plugins: [ { test_transform: { request: true, op: upper } },
                         { test_body: { mode: buffered, max_bytes: 4096, refuse_if_contains: "DROP TABLE" } } ] }
          - { id: xor, match: { path: /xor/** }, upstream: bodies,
              rewrite: { strip_prefix: /xor },
              plugins: [ { test_transform: { request: true, response: true, op: xor } } ] }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "FAILING", String.valueOf(failing.port()),
        "CUT", String.valueOf(cut.port()),
        "BODIES", String.valueOf(bodies.port()), "H2", String.valueOf(h2Upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
    failing.close();
    cut.close();
    bodies.close();
    h2Upstream.close();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  static byte[] xor(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) (bytes[i] ^ BodyTestPlugins.XOR_MASK);
    }
    return out;
  }

  // ---- responses ----

  @Test
  void aResponseBodyIsTransformedAndSentWithoutALength() throws Exception {
    HttpResponse<String> response = get("/upper/some/path");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /UPPER/SOME/PATH");
    assertThat(response.headers().firstValue("content-length")).isEmpty();
    assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
    assertThat(response.headers().firstValue("x-upstream")).hasValue("test");
  }

  @Test
  void aResponseBodyIsTransformedForAnHttp2Client() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response response = h2.get("/upper/over/h2");

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("GET /UPPER/OVER/H2");
      assertThat(response.headers().contains("content-length")).isFalse();
    }
  }

  @Test
  void aTransformerMayMarkTheResponseItRewritesWithAnotherStatus() throws Exception {
    HttpResponse<String> response = get("/upper-203/x");
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response overH2 = h2.get("/upper-203/y");
      assertThat(overH2.status()).isEqualTo(203);
      assertThat(overH2.bodyText()).isEqualTo("GET /UPPER-203/Y");
    }

    assertThat(response.statusCode()).isEqualTo(203);
    assertThat(response.body()).isEqualTo("GET /UPPER-203/X");
  }

  @Test
  void aResponseToHeadIsNotTransformedAndKeepsItsLength() throws Exception {
    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(gateway.uri("/upper/head"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), BodyHandlers.discarding());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).hasValue(String.valueOf("HEAD /upper/head".length()));
  }

  @Test
  void aTransformerThatDeclinesLeavesTheBodyAndItsLength() throws Exception {
    HttpResponse<String> untouched = get("/maybe/a");
    HttpResponse<String> transformed = get("/maybe/b", "x-transform", "yes");

    assertThat(untouched.body()).isEqualTo("GET /maybe/a");
    assertThat(untouched.headers().firstValue("content-length")).hasValue("12");
    assertThat(transformed.body()).isEqualTo("GET /MAYBE/B");
    assertThat(transformed.headers().firstValue("content-length")).isEmpty();
  }

  @Test
  void aTransformerMayHoldEverythingBackAndEmitItAtTheEnd() throws Exception {
    HttpResponse<String> response = get("/held/x");
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      assertThat(h2.get("/held/y").bodyText()).isEqualTo("GET /HELD/Y!");
    }

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /HELD/X!");
  }

  @Test
  void transformersRunInChainOrderEachOnThePreviousOutput() throws Exception {
    // upper first, then the suffix: a suffix that went through upper would read "-END"
    assertThat(get("/chain/x").body()).isEqualTo("GET /CHAIN/X-end");
  }

  @Test
  void aGzipTransformerCompressesAsTheBodyStreams() throws Exception {
    HttpResponse<byte[]> compressed = client.send(HttpRequest.newBuilder(gateway.uri("/gzip/download?bytes=300000"))
        .header("accept-encoding", "gzip").build(), BodyHandlers.ofByteArray());
    HttpResponse<byte[]> plain = client.send(HttpRequest.newBuilder(gateway.uri("/gzip/download?bytes=300000")).build(),
        BodyHandlers.ofByteArray());

    String path = "/" + "abc".repeat(1000);
    HttpResponse<byte[]> text = client.send(HttpRequest.newBuilder(gateway.uri("/gzip" + path))
        .header("accept-encoding", "gzip").build(), BodyHandlers.ofByteArray());

    assertThat(compressed.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(text.body().length).isLessThan(200);
    assertThat(new String(new GZIPInputStream(new ByteArrayInputStream(text.body())).readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("GET " + path);
    BodyPattern.assertIntact(new GZIPInputStream(new ByteArrayInputStream(compressed.body())).readAllBytes(), 300_000);
    assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
    BodyPattern.assertIntact(plain.body(), 300_000);
  }

  @Test
  void aTransformerBeforeGzipWorksOnTheUncompressedBody() throws Exception {
    HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(gateway.uri("/upper-gzip/path"))
        .header("accept-encoding", "gzip").build(), BodyHandlers.ofByteArray());

    byte[] body = new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes();
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("GET /UPPER-GZIP/PATH");
  }

  @Test
  void aLargeResponseStreamsThroughTheTransformerPieceByPiece() throws Exception {
    int total = 8 * MIB;
    bodies.resumeSecondHalf = new CountDownLatch(1);
    HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
        gateway.uri("/xor/halves?bytes=" + total)).build(), BodyHandlers.ofInputStream());

    BodyPattern.Check check = new BodyPattern.Check();
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = body.read(buffer)) >= 0) {
        check.update(buffer, 0, n); // the upstream sent it XOR-ed, the transformer undid that
        if (check.length() > 0) {
          // the upstream sends its second half only once transformed bytes of the first reached us:
          // a gateway that held the transformed body back whole would wait here forever
          bodies.resumeSecondHalf.countDown();
        }
      }
    }
    assertThat(bodies.secondHalfWaitedInVain.get()).isFalse();
    check.assertIntact(total);
    assertThat(response.headers().firstValue("content-length")).isEmpty();
  }

  @Test
  void aClientThatDoesNotReadStopsTheUpstreamBehindATransformer() throws Exception {
    long total = 128L * MIB;
    long before = bodies.streamed.get();
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      socket.getOutputStream().write(("GET /xor/stream?bytes=" + total + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      // nothing is read: once the socket buffers and the gateway's write buffer are full, the
      // gateway must stop reading the upstream, whose writes then block
      Poll.until("the upstream started", () -> bodies.streamed.get() - before > MIB);
      long seen;
      long now = bodies.streamed.get();
      do {
        seen = now;
        Thread.sleep(500);
        now = bodies.streamed.get();
      } while (now != seen);
      assertThat(now - before).as("bytes the upstream could write while the client read nothing")
          .isLessThan(total / 4);
    }
  }

  // ---- requests ----

  @Test
  void aRequestBodyIsTransformedOnItsWayToTheUpstream() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/request-upper/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("hello body")).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    // the upstream echoed "HELLO BODY-end"; test_append transforms responses too, hence the second suffix
    assertThat(response.body()).isEqualTo("HELLO BODY-end-end");
    // the client sent a Content-Length; the transformed body goes chunked instead
    assertThat(response.headers().firstValue("x-request-content-length")).hasValue("none");
    assertThat(response.headers().firstValue("x-request-transfer-encoding")).hasValue("chunked");
  }

  @Test
  void aRequestBodyFromAnHttp2ClientIsTransformed() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response response = h2.request("POST", "/request-upper/echo", Map.of("content-length", "7"),
          "over h2".getBytes(StandardCharsets.UTF_8));

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("OVER H2-end-end");
    }
  }

  @Test
  void aBufferingJudgeSeesTheClientsBytesAndTheUpstreamTheTransformedOnes() throws Exception {
    HttpResponse<String> passed = client.send(HttpRequest.newBuilder(gateway.uri("/judged/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("drop table users")).build(), BodyHandlers.ofString());
    HttpResponse<String> refused = client.send(HttpRequest.newBuilder(gateway.uri("/judged/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("DROP TABLE users")).build(), BodyHandlers.ofString());

    // the judge (later in the chain) saw "drop table", which it lets through; the upstream got it upper-cased
    assertThat(passed.statusCode()).isEqualTo(200);
    assertThat(passed.body()).isEqualTo("DROP TABLE USERS");
    assertThat(refused.statusCode()).isEqualTo(400);
  }

  @Test
  void bodiesToAndFromAnHttp2UpstreamAreTransformed() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/h2-upstream/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("to h2")).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    // upstream got "TO H2-end" (no content-length: its echo would show it), then the response went
    // through both transformers again
    assertThat(response.body()).isEqualTo("TO H2-END-end");
    assertThat(response.headers().firstValue("x-echo-content-length")).isEmpty();
    assertThat(response.headers().firstValue("content-length")).isEmpty();
  }

  @Test
  void aLargeRequestStreamsThroughTheTransformerPieceByPiece() throws Exception {
    long total = 8L * MIB;
    long firstPart = MIB;
    CountDownLatch upstreamSawSome = new CountDownLatch(1);
    bodies.receivedSome = upstreamSawSome;
    AtomicBoolean waitedInVain = new AtomicBoolean();
    InputStream pattern = BodyPattern.stream(total);
    InputStream paced = new InputStream() {
      long sent;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] into, int offset, int length) throws IOException {
        if (sent >= firstPart) {
          // the rest goes only once the upstream received transformed bytes of the first part
          try {
            if (!upstreamSawSome.await(10, TimeUnit.SECONDS)) {
              waitedInVain.set(true);
            }
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        }
        int n = pattern.read(into, offset, (int) Math.min(length, sent < firstPart ? firstPart - sent : length));
        if (n > 0) {
          sent += n;
        }
        return n;
      }
    };

    HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/xor/count"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> paced)).build(), BodyHandlers.ofString());

    assertThat(waitedInVain).isFalse();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("received=" + total + " " + BodyPattern.INTACT);
    // and the upstream's answer went back through the same (symmetric) transformer
    assertThat(response.headers().firstValue("content-length")).isEmpty();
  }

  // ---- failures ----

  @Test
  void aTransformerFailingBeforeItsFirstByteGetsTheClientA500() throws Exception {
    HttpResponse<String> response = get("/fail-early/x");
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response overH2 = h2.get("/fail-early/y");
      assertThat(overH2.status()).isEqualTo(500);
      assertThat(overH2.bodyText()).contains("PLUGIN_ERROR");
    }

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("PLUGIN_ERROR");
  }

  @Test
  void aTransformerFailingMidStreamCutsTheResponseAndTheUpstreamConnection() throws Exception {
    assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(gateway.uri("/fail-late/download?bytes=1000000")).build(),
        BodyHandlers.ofByteArray())).isInstanceOf(IOException.class);
    // the upstream connection was in the middle of a body: closed, never handed to another request
    assertThat(cut.connections()).isEqualTo(1);
    Poll.until("the upstream connection closed", () -> cut.openConnections() == 0);
    HttpResponse<String> next = get("/fail-late/echo");
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("GET /ECHO");
    assertThat(cut.connections()).isEqualTo(2);
  }

  @Test
  void aTransformerFailingMidStreamResetsAnHttp2ClientsStream() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Stream stream = h2.open("GET", "/fail-late-h2/download?bytes=1000000", Map.of(), true);

      assertThat(stream.head().get(10, TimeUnit.SECONDS).status()).hasToString("200");
      assertThatThrownBy(() -> stream.response().get(10, TimeUnit.SECONDS)).hasMessageContaining("stream reset");
      assertThat(stream.received()).isLessThan(1_000_000);
      assertThat(h2.get("/fail-late-h2/echo").bodyText()).isEqualTo("GET /ECHO"); // the connection carries on
    }
  }

  @Test
  void aRequestTransformerFailingMidStreamGetsA500AndAbortsTheUpload() throws Exception {
    int aborted = failing.abortedUploads();
    long uploads = failing.requestsFor("/upload");
    byte[] body = BodyPattern.bytes(1_000_000);

    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Stream stream = h2.open("POST", "/upload", Map.of(), false);
      stream.send(java.util.Arrays.copyOf(body, 50_000), false);
      Poll.until("the upstream got the request", () -> failing.requestsFor("/upload") == uploads + 1);
      stream.send(java.util.Arrays.copyOfRange(body, 50_000, body.length), true);
      H2Client.Response response = stream.response().get(10, TimeUnit.SECONDS);

      assertThat(response.status()).isEqualTo(500);
      assertThat(response.bodyText()).contains("PLUGIN_ERROR");
    }
    Poll.until("the upstream saw the upload cut", () -> failing.abortedUploads() == aborted + 1);
  }

  /**
   * An upstream for bodies: {@code /echo} answers with the request body and how it was framed;
   * {@code /count} un-XORs and checks the body against {@link BodyPattern}; {@code /halves} and
   * {@code /stream} send XOR-ed pattern bodies, the first waiting for the test between its halves.
   */
  static final class BodyUpstream implements AutoCloseable {
    final HttpServer server;
    volatile CountDownLatch resumeSecondHalf = new CountDownLatch(0);
    volatile CountDownLatch receivedSome = new CountDownLatch(0);
    final AtomicBoolean secondHalfWaitedInVain = new AtomicBoolean();
    final AtomicLong streamed = new AtomicLong();

    BodyUpstream() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/echo", this::echo);
      server.createContext("/count", this::count);
      server.createContext("/halves", this::halves);
      server.createContext("/stream", this::stream);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    private void echo(HttpExchange exchange) throws IOException {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String length = exchange.getRequestHeaders().getFirst("content-length");
      String encoding = exchange.getRequestHeaders().getFirst("transfer-encoding");
      exchange.getResponseHeaders().set("x-request-content-length", length == null ? "none" : length);
      exchange.getResponseHeaders().set("x-request-transfer-encoding", encoding == null ? "none" : encoding);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    private void count(HttpExchange exchange) throws IOException {
      BodyPattern.Check check = new BodyPattern.Check();
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = exchange.getRequestBody()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          byte[] plain = xor(java.util.Arrays.copyOf(buffer, n));
          check.update(plain, 0, n);
          if (check.length() > 0) {
            receivedSome.countDown();
          }
        }
      }
      byte[] answer = xor(("received=" + check.length() + " " + check.verdict()).getBytes(StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }

    private void halves(HttpExchange exchange) throws IOException {
      long total = Long.parseLong(exchange.getRequestURI().getQuery().substring("bytes=".length()));
      exchange.sendResponseHeaders(200, total);
      try (OutputStream out = exchange.getResponseBody()) {
        writePattern(out, 0, total / 2);
        out.flush();
        try {
          if (!resumeSecondHalf.await(10, TimeUnit.SECONDS)) {
            secondHalfWaitedInVain.set(true);
          }
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        writePattern(out, total / 2, total - total / 2);
      }
    }

    private void stream(HttpExchange exchange) throws IOException {
      long total = Long.parseLong(exchange.getRequestURI().getQuery().substring("bytes=".length()));
      exchange.sendResponseHeaders(200, total);
      try (OutputStream out = exchange.getResponseBody()) {
        writePattern(out, 0, total);
      } catch (IOException e) {
        // the gateway cut the connection when the test's client went away
      }
    }

    /** Writes {@code length} XOR-ed pattern bytes from {@code position}, counting them in {@link #streamed}. */
    private void writePattern(OutputStream out, long position, long length) throws IOException {
      InputStream pattern = BodyPattern.stream(position + length);
      pattern.skipNBytes(position);
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = pattern.read(buffer)) >= 0) {
        out.write(xor(java.util.Arrays.copyOf(buffer, n)));
        streamed.addAndGet(n);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
