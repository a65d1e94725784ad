package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A plugin changes the status of a response in {@code onResponse}, before its head is sent. */
class ResponseStatusTest {

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
          - { id: rewritten, match: { path: /rewritten/** }, upstream: backend,
              plugins: [ { test_status: { from: 200, to: 203 } } ] }
          - { id: emptied, match: { path: /emptied/** }, upstream: backend,
              plugins: [ { test_status: { from: 200, to: 204 } } ] }
          - { id: invalid, match: { path: /invalid/** }, upstream: backend,
              plugins: [ { test_status: { from: 200, to: 42 } } ] }
          - { id: answered, match: { path: /answered }, respond: { status: 404, body: "not here" },
              plugins: [ { test_status: { from: 404, to: 410 } } ] }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(gateway.uri(path)).build(), BodyHandlers.ofString());
  }

  @Test
  void anUpstreamsStatusIsRewrittenForAnHttp1Client() throws Exception {
    HttpResponse<String> response = get("/rewritten/a");

    assertThat(response.statusCode()).isEqualTo(203);
    assertThat(response.body()).isEqualTo("GET /rewritten/a");
    assertThat(response.headers().firstValue("x-status-was")).hasValue("200");
    assertThat(gateway.accessLog().lines().filter(line -> line.contains("/rewritten/a"))).singleElement()
        .satisfies(line -> assertThat(line).contains(" 203 "));
  }

  @Test
  void anUpstreamsStatusIsRewrittenForAnHttp2Client() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response response = h2.get("/rewritten/b");

      assertThat(response.status()).isEqualTo(203);
      assertThat(response.bodyText()).isEqualTo("GET /rewritten/b");
      assertThat(response.headers().get("x-status-was")).hasToString("200");
    }
  }

  @Test
  void aStatusWithoutABodyDropsTheUpstreamsBodyAndKeepsTheConnection() throws Exception {
    int connections = upstream.connections();
    HttpResponse<String> emptied = get("/emptied/a");
    HttpResponse<String> again = get("/emptied/b");

    assertThat(emptied.statusCode()).isEqualTo(204);
    assertThat(emptied.body()).isEmpty();
    assertThat(emptied.headers().firstValue("content-length")).isEmpty();
    assertThat(again.statusCode()).isEqualTo(204);
    // the upstream's body was read and dropped, so its connection served the second request too
    assertThat(upstream.connections() - connections).isLessThanOrEqualTo(1);
    var raw = gateway.raw().send("GET /emptied/c HTTP/1.1\r\nHost: x\r\n\r\nGET /rewritten/c HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(raw.text()).startsWith("HTTP/1.1 204").contains("HTTP/1.1 203").contains("GET /rewritten/c");
  }

  @Test
  void aStatusOutsideTheFinalRangeIsThePluginsFailure() throws Exception {
    HttpResponse<String> response = get("/invalid/a");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("PLUGIN_ERROR");
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      assertThat(h2.get("/invalid/b").status()).isEqualTo(500);
    }
  }

  @Test
  void theGatewaysOwnAnswersCanBeRewrittenToo() throws Exception {
    HttpResponse<String> response = get("/answered");

    assertThat(response.statusCode()).isEqualTo(410);
    assertThat(response.body()).isEqualTo("not here");
    assertThat(response.headers().firstValue("x-status-was")).hasValue("404");
  }
}
