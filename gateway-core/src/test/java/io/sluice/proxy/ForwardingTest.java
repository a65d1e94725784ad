package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ForwardingTest {

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
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
        routes:
          - id: health
            match: { path: /healthz }
            respond: { status: 200, headers: { content-type: text/plain }, body: "ok" }
          - id: api
            match: { path: /api/** }
            upstream: backend
            rewrite: { strip_prefix: /api }
            request_headers: { set: { x-gateway: sluice }, remove: [x-secret] }
            response_headers: { add: { x-served-by: sluice } }
          - id: user-by-id
            match: { path: "/users/{id}", methods: [GET] }
            upstream: backend
            rewrite: { path: "/v2/accounts/{id}" }
          - id: plugin-sets-user
            match: { path: /plugin-user/** }
            upstream: backend
            plugins:
              - test_header: { request: { x-user-id: alice } }
          - id: user-exact
            match: { path: /users/me }
            upstream: backend
            rewrite: { path: /self }
          - id: catch-all
            match: { path: /** }
            upstream: backend
          - id: tenant
            match: { host: "*.tenant.test", path: /** }
            respond: { status: 202, body: "tenant" }
          - id: canary
            match: { path: /** , headers: { x-canary: "1" } }
            respond: { status: 203, body: "canary" }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    var builder = java.net.http.HttpRequest.newBuilder(gateway.uri(path));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return client.send(builder.build(), BodyHandlers.ofString());
  }

  @Test
  void forwardsWithRewriteAndHeaderChanges() throws Exception {
    HttpResponse<String> response = get("/api/items/7?q=a%20b", "x-secret", "s3cr3t", "x-keep", "yes");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /items/7?q=a%20b");
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().get("x-gateway")).isEqualTo("sluice");
    assertThat(seen.headers().contains("x-secret")).isFalse();
    assertThat(seen.headers().get("x-keep")).isEqualTo("yes");
    assertThat(seen.headers().get("host")).isEqualTo("127.0.0.1:" + gateway.port());
    assertThat(response.headers().firstValue("x-served-by")).hasValue("sluice");
    assertThat(response.headers().firstValue("x-upstream")).hasValue("test");
  }

  @Test
  void hopByHopHeadersNeverCross() throws Exception {
    HttpResponse<String> response = get("/plain");

    // The upstream answered Connection: keep-alive, x-hop plus X-Hop, Keep-Alive and Proxy-Authenticate fields.
    assertThat(response.headers().map()).doesNotContainKeys("x-hop", "keep-alive", "proxy-authenticate");
    assertThat(response.headers().firstValue("x-upstream")).hasValue("test");
    assertThat(response.headers().firstValue("via")).hasValue("1.1 sluice");
  }

  @Test
  void setsForwardingHeadersAndRequestId() throws Exception {
    HttpResponse<String> response = get("/fwd", "x-forwarded-for", "6.6.6.6", "x-real-ip", "6.6.6.6",
        "forwarded", "for=6.6.6.6", "x-forwarded-host", "evil.example");

    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("x-real-ip")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("forwarded")).isEqualTo("for=127.0.0.1;host=\"127.0.0.1:" + gateway.port() + "\";proto=http");
    assertThat(seen.headers().get("x-forwarded-host")).isEqualTo("127.0.0.1:" + gateway.port());
    assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.headers().get("x-forwarded-port")).isEqualTo(String.valueOf(gateway.port()));
    assertThat(seen.headers().get("via")).isEqualTo("1.1 sluice");
    String requestId = seen.headers().get("x-request-id");
    assertThat(requestId).hasSize(26);
    assertThat(response.headers().firstValue("x-request-id")).hasValue(requestId);
    assertThat(gateway.accessLog()).contains(requestId);
  }

  @Test
  void aClientThatIsNoTrustedProxyCannotChooseTheRequestId() throws Exception {
    HttpResponse<String> response = get("/rid", "x-request-id", "abc-123");

    String requestId = upstream.lastRequest().headers().get("x-request-id");
    assertThat(requestId).isNotEqualTo("abc-123").hasSize(26);
    assertThat(response.headers().firstValue("x-request-id")).hasValue(requestId);
  }

  @Test
  void headerFieldsWithUnderscoresAreDroppedBeforeTheUpstream() throws Exception {
    var response = gateway.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        + "Transfer_Encoding: chunked\r\nX_Auth_User: admin\r\nx-auth-user-ok: yes\r\nConnection: close\r\n\r\nabc");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).endsWith("received=3");
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().names()).noneMatch(name -> name.contains("_"));
    assertThat(seen.headers().get("x-auth-user-ok")).isEqualTo("yes");
  }

  @Test
  void theClientsConnectionHeaderCannotRemoveWhatAPluginSets() throws Exception {
    var response = gateway.raw().send("GET /plugin-user/x HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close,x-user-id ,\t x-hop\r\nx-user-id: mallory\r\nx-hop: 1\r\nConnection: X-Other\r\nx-other: 1\r\n"
        + "Proxy-Authorization: Basic eDp5\r\nKeep-Alive: timeout=5\r\nx-end: 1\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().getAll("x-user-id")).containsExactly("alice");
    assertThat(seen.headers().contains("x-hop")).as("a field the client's Connection names").isFalse();
    assertThat(seen.headers().contains("x-other")).as("named in a second Connection field").isFalse();
    assertThat(seen.headers().contains("proxy-authorization")).isFalse();
    assertThat(seen.headers().contains("keep-alive")).isFalse();
    assertThat(seen.headers().get("x-end")).isEqualTo("1");
    assertThat(seen.headers().contains("connection")).isFalse();
  }

  @Test
  void oneHeaderFieldOverTheFieldLimitIs431EvenWhenAllFitTheTotal() throws Exception {
    int before = upstream.requests().size();
    // 9,000 bytes: under max_header_bytes (16 KiB), over max_header_field_bytes (8 KiB), both defaults
    var response = gateway.raw().send("GET /api/big HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9_000) + "\r\n\r\n");

    assertThat(response.status()).isEqualTo(431);
    assertThat(response.text()).contains("{\"error\":{\"code\":\"HEADERS_TOO_LARGE\",\"message\":\"Header field 'X-Big' is larger than 8192 bytes\"}");
    assertThat(response.text()).contains("\"request_id\":\"");
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void mostSpecificRouteWins() throws Exception {
    assertThat(get("/users/me").body()).isEqualTo("GET /self");
    assertThat(get("/users/42").body()).isEqualTo("GET /v2/accounts/42");
    assertThat(get("/users/42/extra").body()).isEqualTo("GET /users/42/extra");
    assertThat(get("/anything", "host", "a.tenant.test").statusCode()).isEqualTo(202);
    assertThat(get("/anything", "x-canary", "1").statusCode()).isEqualTo(203);
  }

  @Test
  void answersDirectRoutesWithoutTheUpstream() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(response.headers().firstValue("content-type")).hasValue("text/plain");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void reusesUpstreamConnections() throws Exception {
    int before = upstream.connections();
    for (int i = 0; i < 25; i++) {
      assertThat(get("/reuse/" + i).statusCode()).isEqualTo(200);
    }
    // Sequential requests from one client on one event loop share one pooled connection
    // (at most one more if the first request of this test opened it).
    assertThat(upstream.connections() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void carriesTrailersOfChunkedResponses() throws Exception {
    var response = gateway.raw().send("GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).containsIgnoringCase("transfer-encoding: chunked");
    assertThat(response.text()).contains("part1-").contains("part2");
    assertThat(response.text()).containsIgnoringCase("x-checksum: abc");
  }

  @Test
  void uploadsStreamUpstream() throws Exception {
    byte[] body = BodyPattern.bytes(3 * 1024 * 1024);
    var post = java.net.http.HttpRequest.newBuilder(gateway.uri("/upload")).POST(BodyPublishers.ofByteArray(body)).build();

    HttpResponse<String> response = client.send(post, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("received=" + body.length);
    assertThat(response.headers().firstValue(BodyPattern.CHECK_HEADER)).hasValue(BodyPattern.INTACT);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    var response = gateway.raw().send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(response.responseCount()).isEqualTo(3);
    String text = response.text();
    assertThat(text.indexOf("GET /one")).isLessThan(text.indexOf("\r\n\r\nok"));
    assertThat(text.indexOf("\r\n\r\nok")).isLessThan(text.indexOf("GET /three"));
    assertThat(response.closed()).isTrue();
  }

  @Test
  void pipelinedRequestsWithBodiesKeepTheirBodies() throws Exception {
    var response = gateway.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

    assertThat(response.responseCount()).isEqualTo(3);
    String text = response.text();
    assertThat(text.indexOf("received=5")).isLessThan(text.indexOf("\r\n\r\nok")).isPositive();
    assertThat(text).endsWith("received=3");
  }

  @Test
  void http10ClientsGetAClosedDelimitedOrSizedResponse() throws Exception {
    var response = gateway.raw().send("GET /trailers HTTP/1.0\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).doesNotContainIgnoringCase("transfer-encoding");
    assertThat(response.text()).endsWith("part1-part2");
    assertThat(response.closed()).isTrue();
  }

  @Test
  void expectContinueIsAnsweredByTheGateway() throws Exception {
    var response = gateway.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
        + "Connection: close\r\n\r\nhello");

    assertThat(response.text()).startsWith("HTTP/1.1 100 Continue");
    assertThat(response.text()).contains("received=5");
    assertThat(upstream.lastRequest().headers().contains("expect")).isFalse();
  }
}
