package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Poll;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.TestPlugins;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin runtime through a real gateway, with the test plugins of {@link TestPlugins}. */
class PluginChainTest {

  static TestUpstream upstream;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
          down: { endpoints: [ "http://127.0.0.1:${CLOSED}" ] }
        plugins:
          - test_observe: {}
          - test_header: { request: { x-global: "yes" }, response: { x-global-response: "yes" } }
          - test_deny: {}
        routes:
          - id: ordered
            match: { path: /ordered/** }
            upstream: backend
            plugins:
              - test_async: { delay: 30ms }
              - test_edge: {}
          - id: overridden
            match: { path: /overridden/** }
            upstream: backend
            plugins:
              - test_header: { request: { x-route: "own" } }
              - test_deny: { enabled: false }
          - id: shadow
            match: { path: /shadow/** }
            upstream: backend
            plugins:
              - test_deny: { enforce: false }
          - id: edge-answers
            match: { path: /edge/** }
            upstream: backend
            plugins:
              - test_edge: { respond_status: 204 }
          - id: async-deny
            match: { path: /limited/** }
            upstream: backend
            plugins:
              - test_async: { delay: 20ms, deny: true }
          - id: blocking
            match: { path: /blocking/** }
            upstream: backend
            plugins:
              - test_blocking: { sleep: 30ms }
          - id: fail-request
            match: { path: /fail/request }
            upstream: backend
            plugins: [ { test_fail: { where: request } } ]
          - id: fail-stage
            match: { path: /fail/stage }
            upstream: backend
            plugins: [ { test_fail: { where: stage } } ]
          - id: fail-response
            match: { path: /fail/response }
            upstream: backend
            plugins: [ { test_fail: { where: response } } ]
          - id: down
            match: { path: /down/** }
            upstream: down
          - id: die
            match: { path: /die }
            upstream: backend
          - id: direct
            match: { path: /direct }
            respond: { status: 200, body: "direct" }
          - id: origin
            match: { path: /origin }
            upstream: backend
            plugins: [ { test_origin: {} } ]
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "CLOSED", String.valueOf(closedPort)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void clear() {
    TestPlugins.COMPLETED.clear();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    var builder = java.net.http.HttpRequest.newBuilder(gateway.uri(path));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return client.send(builder.build(), BodyHandlers.ofString());
  }

  @Test
  void pluginsRunByPhaseThenPriorityThenPositionWithGlobalsMergedIn() throws Exception {
    HttpResponse<String> response = get("/ordered/x", "x-tenant", "acme");

    assertThat(response.statusCode()).isEqualTo(200);
    HttpRequest seen = upstream.lastRequest();
    // edge (EDGE) < deny (AUTHORIZATION) < async (TRAFFIC) < header (TRANSFORM); observe (OBSERVE) marks nothing.
    assertThat(seen.headers().get("x-chain")).isEqualTo("edge,deny,async,header");
    assertThat(seen.headers().get("x-global")).isEqualTo("yes");
    assertThat(seen.headers().get("x-tenant-seen")).as("attribute shared from test_edge").isEqualTo("acme");
    assertThat(response.headers().firstValue("x-global-response")).hasValue("yes");
    assertThat(response.headers().firstValue("x-response-from-gateway")).hasValue("false");
  }

  @Test
  void pluginsSeeTheListenerTheProtocolWhenTheExchangeBeganAndItsEventLoop() throws Exception {
    assertThat(get("/origin").statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-origin")).isEqualTo("test HTTP/1.1 started loop");

    H2Client h2 = H2Client.h2c(gateway.port());
    try {
      assertThat(h2.request("GET", "/origin", Map.of(), null).status()).isEqualTo(200);
    } finally {
      h2.close();
    }
    assertThat(upstream.lastRequest().headers().get("x-origin")).isEqualTo("test HTTP/2 started loop");
  }

  @Test
  void aRouteCanReplaceAGlobalPluginsConfigOrSwitchItOff() throws Exception {
    HttpResponse<String> response = get("/overridden/x", "x-deny", "1");

    assertThat(response.statusCode()).isEqualTo(200);
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().get("x-route")).isEqualTo("own");
    assertThat(seen.headers().get("x-global")).isNull();
    assertThat(seen.headers().get("x-chain")).isEqualTo("header");
  }

  @Test
  void aRejectionIsOurJsonErrorAndResponseHooksSeeIt() throws Exception {
    int before = upstream.requests().size();
    HttpResponse<String> response = get("/ordered/x", "x-deny", "1");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("{\"error\":{\"code\":\"FORBIDDEN\",\"message\":\"Denied by test_deny\"}");
    assertThat(response.headers().firstValue("x-response-from-gateway")).hasValue("true");
    assertThat(upstream.requests()).hasSize(before);
    assertThat(gateway.accessLog()).contains("FORBIDDEN client \"test_deny.header_present\"");
  }

  @Test
  void grpcCallersGetAGrpcStatusInsteadOfJson() throws Exception {
    RawHttp.Response denied = gateway.raw().send("POST /ordered/pkg.Service/Call HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/grpc\r\nx-deny: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(denied.status()).isEqualTo(200);
    assertThat(denied.text()).containsIgnoringCase("content-type: application/grpc")
        .containsIgnoringCase("grpc-status: 7")
        .containsIgnoringCase("grpc-message: Denied by test_deny")
        .doesNotContain("{\"error\"");

    RawHttp.Response unknown = gateway.raw().send("POST /nowhere.Service/Call HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/grpc+proto\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(unknown.text()).containsIgnoringCase("grpc-status: 12");
  }

  @Test
  void shadowModeLetsTheRequestThroughAndCountsIt() throws Exception {
    HttpResponse<String> response = get("/shadow/x", "x-deny", "1");

    assertThat(response.statusCode()).isEqualTo(200);
    double counted = gateway.server().meters().get("sluice.plugin.shadow.rejections")
        .tags("route", "shadow", "plugin", "test_deny").counter().count();
    assertThat(counted).isEqualTo(1.0);
  }

  @Test
  void aPluginCanAnswerWithItsOwnResponse() throws Exception {
    int before = upstream.requests().size();
    HttpResponse<String> response = get("/edge/x");

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("x-answered-by")).hasValue("test_edge");
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void anAwaitedRefusalKeepsItsHeaders() throws Exception {
    HttpResponse<String> response = get("/limited/x");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    assertThat(response.body()).contains("RATE_LIMIT_EXCEEDED");
  }

  @Test
  void theBodyThatArrivesWhileAPluginAwaitsReachesTheUpstream() throws Exception {
    byte[] body = BodyPattern.bytes(512 * 1024);
    HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(gateway.uri("/ordered/upload"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/ordered/upload");
    assertThat(upstream.lastBody()).isEqualTo(TestUpstream.ReceivedBody.intact(body.length));
  }

  @Test
  void blockingPluginsRunOnVirtualThreads() throws Exception {
    HttpResponse<String> response = get("/blocking/x");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-virtual-thread")).isEqualTo("true");
  }

  @Test
  void aFailingPluginIs500PluginErrorAndTheGatewayKeepsServing() throws Exception {
    for (String where : new String[] {"request", "stage", "response"}) {
      HttpResponse<String> response = get("/fail/" + where);
      assertThat(response.statusCode()).as(where).isEqualTo(500);
      assertThat(response.body()).as(where).contains("\"code\":\"PLUGIN_ERROR\"");
      assertThat(response.body()).as(where).doesNotContain("boom");
    }
    assertThat(gateway.accessLog()).contains("PLUGIN_ERROR plugin \"plugin=test_fail failed");
    assertThat(get("/ordered/after").statusCode()).isEqualTo(200);
  }

  @Test
  void completionHooksRunOnceForEveryEnding() throws Exception {
    get("/ordered/ok");
    get("/ordered/x", "x-deny", "1");
    get("/down/x");
    get("/direct");
    RawHttp.Response cut = gateway.raw().send("GET /die?after=10 HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(cut.closed()).isTrue();
    // every exchange runs its completion hooks before it counts as ended
    Poll.until("every exchange ended", () -> gateway.server().activeExchanges() == 0);

    assertThat(TestPlugins.COMPLETED).containsExactlyInAnyOrder(
        "ordered 200 -",
        "ordered 403 FORBIDDEN",
        "down 502 UPSTREAM_UNAVAILABLE",
        "direct 200 -",
        "die 200 - upstream_closed");
  }
}
