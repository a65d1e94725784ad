package io.sluice.plugins.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plugin in a real gateway, found on the class path, in front of a real upstream. */
class CorsGatewayTest {

  static final String APP = "https://app.example.com";

  static TestUpstream upstream;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
          gone:
            endpoints: [ "http://127.0.0.1:${CLOSED}" ]
        plugins:
          - cors:
              allow_origins: [ "https://app.example.com", "https://*.preview.example.com" ]
              allow_methods: [ GET, POST, PUT ]
              allow_headers: [ x-custom, content-type ]
              expose_headers: [ x-upstream ]
              allow_credentials: true
              max_age: 2m
        routes:
          - id: api
            match: { path: /api/** }
            upstream: backend
          - id: down
            match: { path: /down/** }
            upstream: gone
          - id: public
            match: { path: /public/** }
            upstream: backend
            plugins:
              - cors: { allow_origins: [ "*" ], allow_headers: [ "*" ] }
          - id: internal
            match: { path: /internal/** }
            upstream: backend
            plugins:
              - cors: { enabled: false }
          - id: reads
            match: { path: /reads/**, methods: [ GET ] }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "CLOSED", String.valueOf(closedPort)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).method(method, BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  static HttpResponse<String> preflight(String path, String origin, String method, String headers) throws Exception {
    return send("OPTIONS", path, "Origin", origin, "Access-Control-Request-Method", method,
        "Access-Control-Request-Headers", headers);
  }

  static List<String> corsHeaderNames(HttpResponse<?> response) {
    return response.headers().map().keySet().stream().filter(name -> name.startsWith("access-control-")).toList();
  }

  @Test
  void aPreflightIsAnsweredWithoutReachingTheUpstream() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> response = preflight("/api/items", "https://pr-3.preview.example.com", "PUT", "x-custom");

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("https://pr-3.preview.example.com");
    assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
    assertThat(response.headers().firstValue("access-control-allow-methods")).hasValue("GET, POST, PUT");
    assertThat(response.headers().firstValue("access-control-allow-headers")).hasValue("x-custom");
    assertThat(response.headers().firstValue("access-control-max-age")).hasValue("120");
    assertThat(response.headers().allValues("vary"))
        .containsExactly("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    assertThat(response.body()).isEmpty();
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void aPreflightFromAnotherOriginIsAForbiddenJsonErrorWithoutCorsHeaders() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> response = preflight("/api/items", "https://evil.example.org", "PUT", "x-custom");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body())
        .contains("\"code\":\"FORBIDDEN\"")
        .contains("\"message\":\"CORS preflight from origin https://evil.example.org is not allowed\"");
    assertThat(corsHeaderNames(response)).isEmpty();
    assertThat(upstream.requests()).hasSize(before);
    assertThat(gateway.accessLog()).contains("cors.origin_not_allowed");
  }

  @Test
  void aPreflightForAHeaderNotAllowedIsForbidden() throws Exception {
    HttpResponse<String> response = preflight("/api/items", APP, "PUT", "x-custom, x-secret");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("is not allowed to send header x-secret");
    assertThat(corsHeaderNames(response)).isEmpty();
  }

  @Test
  void anAllowedActualRequestGoesUpstreamAndGetsTheHeaders() throws Exception {
    HttpResponse<String> response = send("PUT", "/api/items/7", "Origin", APP, "X-Custom", "1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("PUT /api/items/7");
    assertThat(upstream.lastRequest().headers().get("origin")).isEqualTo(APP);
    assertThat(response.headers().allValues("access-control-allow-origin")).containsExactly(APP);
    assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
    assertThat(response.headers().firstValue("access-control-expose-headers")).hasValue("x-upstream");
    assertThat(response.headers().allValues("vary")).containsExactly("Origin");
  }

  @Test
  void anActualRequestFromAnotherOriginGoesUpstreamButGetsNoCorsHeaders() throws Exception {
    HttpResponse<String> response = send("GET", "/api/items", "Origin", "https://evil.example.org");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /api/items");
    assertThat(corsHeaderNames(response)).isEmpty();
    assertThat(response.headers().allValues("vary")).containsExactly("Origin");
  }

  @Test
  void aRequestWithoutOriginGetsOnlyVary() throws Exception {
    HttpResponse<String> response = send("GET", "/api/items");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(corsHeaderNames(response)).isEmpty();
    assertThat(response.headers().allValues("vary")).containsExactly("Origin");
  }

  @Test
  void aGatewayErrorCarriesTheHeadersSoTheScriptCanReadIt() throws Exception {
    HttpResponse<String> response = send("GET", "/down/x", "Origin", APP);

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("UPSTREAM_UNAVAILABLE");
    assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue(APP);
    assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
  }

  @Test
  void aRouteCanReplaceTheGlobalConfig() throws Exception {
    HttpResponse<String> preflight = preflight("/public/x", "https://anyone.test", "POST", "x-anything");
    HttpResponse<String> actual = send("GET", "/public/x", "Origin", "https://anyone.test");

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("*");
    assertThat(preflight.headers().firstValue("access-control-allow-credentials")).isEmpty();
    assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("*");
    assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("600");
    assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue("*");
    assertThat(actual.headers().allValues("vary")).isEmpty();
  }

  @Test
  void aRouteCanSwitchThePluginOff() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> preflight = preflight("/internal/x", APP, "PUT", "x-custom");

    assertThat(preflight.statusCode()).isEqualTo(200); // the upstream's answer: nothing stopped it
    assertThat(preflight.body()).isEqualTo("OPTIONS /internal/x");
    assertThat(corsHeaderNames(preflight)).isEmpty();
    assertThat(upstream.requests()).hasSize(before + 1);
  }

  @Test
  void aRouteThatRestrictsMethodsRefusesPreflightsBeforeThePluginRuns() throws Exception {
    // documented in docs/plugins/cors.md: such a route must list OPTIONS for preflights to work
    HttpResponse<String> response = preflight("/reads/x", APP, "GET", "x-custom");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(corsHeaderNames(response)).isEmpty();
  }

  @Test
  void configMistakesAreReportedWithFileLineAndPath() {
    assertThatThrownBy(() -> Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        plugins:
          - cors:
              allow_origins: [ "*" ]
              allow_credentials: true
        routes:
          - id: health
            match: { path: /healthz }
            respond: { status: 200 }
        """, Map.of()))
        .hasMessageContaining("test.yaml:5:7 plugins[0].cors: allow_origins: '*' cannot be combined with"
            + " allow_credentials: true (expected: the exact origins to allow)");
  }
}
