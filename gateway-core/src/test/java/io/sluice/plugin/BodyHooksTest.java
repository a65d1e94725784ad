package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.TestPlugins;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Plugins that look at bodies: buffered (judged before the upstream) and streamed (observed). */
class BodyHooksTest {

  static TestUpstream upstream;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: judged
            match: { path: /upload }
            upstream: backend
            plugins:
              - test_body: { mode: buffered, max_bytes: 4096, refuse_if_contains: "DROP TABLE" }
          - id: watched
            match: { path: /** }
            upstream: backend
            plugins:
              - test_body: { mode: streamed }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(gateway.uri(path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  @Test
  void aBufferedBodyIsJudgedBeforeTheUpstreamSeesAnything() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> refused = post("/upload", "name=x; DROP TABLE users");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("Body refused by test_body");
    assertThat(upstream.requests()).hasSize(before);

    HttpResponse<String> accepted = post("/upload", "name=x".repeat(100));
    assertThat(accepted.statusCode()).isEqualTo(200);
    assertThat(accepted.body()).isEqualTo("received=600");
  }

  @Test
  void aBufferedBodyOverThePluginsBoundIs413() throws Exception {
    HttpResponse<String> response = post("/upload", "z".repeat(5000));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("exceeds the limit of 4096 bytes");
    // The rest of the body is not read, so the connection must be closed, and say so.
    var raw = gateway.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + "z".repeat(5000));
    assertThat(raw.status()).isEqualTo(413);
    assertThat(raw.text()).containsIgnoringCase("connection: close");
    assertThat(raw.closed()).isTrue();
  }

  @Test
  void streamedBodiesAreObservedAsTheyPass() throws Exception {
    long requestBefore = TestPlugins.STREAMED_REQUEST_BYTES.get();
    long responseBefore = TestPlugins.STREAMED_RESPONSE_BYTES.get();
    int lastBefore = TestPlugins.LAST_CHUNKS.get();

    HttpResponse<String> response = post("/echo", "a".repeat(70_000));
    HttpResponse<byte[]> download = client.send(HttpRequest.newBuilder(gateway.uri("/download?bytes=300000")).build(),
        BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    BodyPattern.assertIntact(download.body(), 300_000);
    assertThat(TestPlugins.STREAMED_REQUEST_BYTES.get() - requestBefore).isEqualTo(70_000);
    assertThat(TestPlugins.STREAMED_RESPONSE_BYTES.get() - responseBefore)
        .isEqualTo(300_000 + "POST /echo".getBytes(StandardCharsets.UTF_8).length);
    // The POST: request end and response end; the GET has no request body, so only its response end.
    assertThat(TestPlugins.LAST_CHUNKS.get() - lastBefore).isEqualTo(3);
  }
}
