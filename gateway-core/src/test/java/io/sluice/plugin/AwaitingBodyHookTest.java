package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.BodyTestPlugins;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A buffering body hook that awaits: {@code test_scan} sends the whole request body to a real
 * scanning service over HTTP, which reads it from the gateway's buffer after the hook returned,
 * and the exchange goes on, on its event loop, with the verdict.
 */
class AwaitingBodyHookTest {

  static TestUpstream upstream;
  static Scanner scanner;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    scanner = new Scanner();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: scanned, match: { path: /upload }, upstream: backend,
              plugins: [ { test_scan: { url: "http://127.0.0.1:${SCANNER}/scan" } } ] }
          - { id: impatient, match: { path: /impatient }, upstream: backend,
              plugins: [ { test_scan: { url: "http://127.0.0.1:${SCANNER}/scan", timeout: 300ms } } ] }
          - { id: shadowed, match: { path: /shadowed }, upstream: backend,
              plugins: [ { test_scan: { url: "http://127.0.0.1:${SCANNER}/scan", enforce: false } } ] }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "SCANNER", String.valueOf(scanner.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
    scanner.close();
  }

  static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return client.send(HttpRequest.newBuilder(gateway.uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        BodyHandlers.ofString());
  }

  @Test
  void aCleanBodyGoesUpstreamAfterTheScannerSawAllOfIt() throws Exception {
    int size = 3 * 1024 * 1024;
    HttpResponse<String> response = post("/upload", BodyPattern.bytes(size));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("received=" + size);
    assertThat(response.headers().firstValue(BodyPattern.CHECK_HEADER)).hasValue(BodyPattern.INTACT);
    // the scanner read the very bytes from the gateway's buffer, after the hook returned
    assertThat(scanner.lastVerdict).isEqualTo("clean " + size + " " + BodyPattern.INTACT);
    var seen = upstream.lastRequest().headers();
    assertThat(seen.get("x-scan")).isEqualTo(scanner.lastVerdict);
    assertThat(seen.get("x-scan-thread")).as("the resume step ran on an event loop").startsWith("sluice-io");
  }

  @Test
  void aBodyTheScannerRefusesNeverReachesTheUpstream() throws Exception {
    long before = upstream.requestsFor("/upload");

    HttpResponse<String> response = post("/upload", "attachment: EVIL payload".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("Refused by the scanner: evil");
    assertThat(upstream.requestsFor("/upload")).isEqualTo(before);
  }

  @Test
  void anHttp2ClientsBodyIsScannedToo() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response clean = h2.request("POST", "/upload", Map.of(), "fine".getBytes(StandardCharsets.UTF_8));
      H2Client.Response refused = h2.request("POST", "/upload", Map.of(), "EVIL".getBytes(StandardCharsets.UTF_8));

      assertThat(clean.status()).isEqualTo(200);
      assertThat(clean.bodyText()).isEqualTo("received=4");
      assertThat(refused.status()).isEqualTo(403);
    }
  }

  @Test
  void aScannerSlowerThanThePluginsTimeoutIs504AndTheBodyIsStillReadWhole() throws Exception {
    int completed = BodyTestPlugins.SCANS_COMPLETED.get();
    long before = upstream.requestsFor("/impatient");
    int size = 512 * 1024;

    HttpResponse<String> response = post("/impatient", slow(size));

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("PLUGIN_TIMEOUT");
    // the scanner answers later; it could still read the whole body, which the gateway held for it
    Poll.until("the late scan completed", () -> BodyTestPlugins.SCANS_COMPLETED.get() > completed);
    assertThat(scanner.lastVerdict).isEqualTo("clean " + size + " slow");
    assertThat(upstream.requestsFor("/impatient")).isEqualTo(before);
  }

  @Test
  void aRefusalInShadowModeLetsTheBodyThrough() throws Exception {
    HttpResponse<String> response = post("/shadowed", "EVIL but only counted".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("POST /shadowed");
  }

  /** A body the scanner answers only after a while: it starts with {@code SLOW}. */
  static byte[] slow(int size) {
    byte[] body = new byte[size];
    java.util.Arrays.fill(body, (byte) 'x');
    System.arraycopy("SLOW".getBytes(StandardCharsets.US_ASCII), 0, body, 0, 4);
    return body;
  }

  /**
   * The scanning service: refuses (403) bodies that contain {@code EVIL}, answers bodies that start
   * with {@code SLOW} after a second, and says what it read: its length and whether it was the pattern.
   */
  static final class Scanner implements AutoCloseable {
    final HttpServer server;
    final AtomicInteger scans = new AtomicInteger();
    volatile String lastVerdict;

    Scanner() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/scan", this::scan);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    private void scan(HttpExchange exchange) throws IOException {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      scans.incrementAndGet();
      String text = new String(body, StandardCharsets.ISO_8859_1);
      int status = 200;
      String verdict;
      if (text.contains("EVIL")) {
        status = 403;
        verdict = "evil";
      } else if (text.startsWith("SLOW")) {
        sleep(1000);
        verdict = "clean " + body.length + " slow";
      } else {
        BodyPattern.Check check = new BodyPattern.Check();
        check.update(body, 0, body.length);
        verdict = "clean " + body.length + " " + check.verdict();
      }
      lastVerdict = verdict;
      byte[] answer = verdict.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis); // the scanner's own thread: a slow service, not the gateway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
