package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.RawH2;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a client may not send, over HTTP/1.1 and HTTP/2 alike: header names with underscores,
 * identity headers of the configured plugins (on every route), the operator's stripped headers,
 * single oversized fields, and a request id unless it is a trusted proxy.
 */
@ExtendWith(NoLeaksExtension.class)
class ClientHeaderRulesTest {

  static TestUpstream upstream;
  /** No trusted proxies; three listeners with the three {@code headers_with_underscores} settings. */
  static Gateway gateway;
  /** Trusts 127.0.0.1, the address every test client connects from. */
  static Gateway behindProxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    Map<String, String> env = Map.of("UPSTREAM", String.valueOf(upstream.port()));
    gateway = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0 }
            - { name: lenient, bind: 127.0.0.1, port: 0, headers_with_underscores: allow }
            - { name: strict, bind: 127.0.0.1, port: 0, headers_with_underscores: reject }
          strip_request_headers: [X-Tenant-Id]
          limits: { max_header_field_bytes: 4KiB }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: authenticated
            match: { path: /auth/** }
            upstream: backend
            plugins:
              - test_identity: { header: x-user-id, value: alice }
          - id: switched-off
            match: { path: /off/** }
            upstream: backend
            plugins:
              - test_identity: { header: x-consumer, value: svc, enabled: false }
          - id: open
            match: { path: /** }
            upstream: backend
        """, env);
    behindProxy = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0 }
          trusted_proxies: [127.0.0.1]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: open
            match: { path: /** }
            upstream: backend
        """, env);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    behindProxy.close();
    upstream.close();
  }

  // ---- identity headers ----

  @Test
  void identityHeadersOfConfiguredPluginsNeverComeFromTheClientOnAnyRoute() throws Exception {
    // /open has no plugin, /off has the plugin switched off: neither may let a client's x-user-id or x-consumer through
    for (String path : new String[] {"/open/x", "/off/x"}) {
      var response = gateway.send("GET", path, "x-user-id", "mallory", "X-Consumer", "evil", "x-tenant-id", "t1", "x-other", "kept");

      assertThat(response.statusCode()).isEqualTo(200);
      HttpRequest seen = upstream.lastRequest();
      assertThat(seen.uri()).isEqualTo(path);
      assertThat(seen.headers().contains("x-user-id")).as(path).isFalse();
      assertThat(seen.headers().contains("x-consumer")).as(path).isFalse();
      assertThat(seen.headers().contains("x-tenant-id")).as("strip_request_headers on " + path).isFalse();
      assertThat(seen.headers().get("x-other")).isEqualTo("kept");
    }
  }

  @Test
  void theIdentityPluginStillSetsItsHeaderWhereItRuns() throws Exception {
    var response = gateway.send("GET", "/auth/x", "x-user-id", "mallory");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().getAll("x-user-id")).containsExactly("alice");
  }

  @Test
  void http2ClientsCannotSendIdentityHeadersEither() throws Exception {
    try (H2Client client = H2Client.h2c(gateway.port())) {
      H2Client.Response open = client.request("GET", "/open/h2", Map.of("x-user-id", "mallory", "x-tenant-id", "t1"), null);
      assertThat(open.status()).isEqualTo(200);
      assertThat(upstream.lastRequest().headers().contains("x-user-id")).isFalse();
      assertThat(upstream.lastRequest().headers().contains("x-tenant-id")).isFalse();

      H2Client.Response authenticated = client.request("GET", "/auth/h2", Map.of("x-user-id", "mallory"), null);
      assertThat(authenticated.status()).isEqualTo(200);
      assertThat(upstream.lastRequest().headers().getAll("x-user-id")).containsExactly("alice");
    }
  }

  @Test
  void requestTrailersFollowTheSameRules() throws Exception {
    RawHttp.Response response = gateway.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\nX_Trailer: a\r\nx-user-id: mallory\r\nx-checksum: 1\r\n\r\n");

    assertThat(response.status()).as(response.text()).isEqualTo(200);
    assertThat(upstream.lastTrailers().names()).containsExactly("x-checksum");
  }

  // ---- underscores ----

  @Test
  void underscoredNamesAreDroppedForHttp2ClientsToo() throws Exception {
    try (H2Client client = H2Client.h2c(gateway.port())) {
      H2Client.Response response = client.request("GET", "/open/u", Map.of("x_auth_user", "admin", "x-auth-user", "bob"), null);

      assertThat(response.status()).isEqualTo(200);
    }
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().contains("x_auth_user")).isFalse();
    assertThat(seen.headers().get("x-auth-user")).isEqualTo("bob");
  }

  @Test
  void aListenerCanAllowUnderscores() throws Exception {
    RawHttp.Response response = gateway.raw("lenient").send("GET /open/lenient HTTP/1.1\r\nHost: x\r\nX_Legacy_Token: t\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("X_Legacy_Token")).isEqualTo("t");
  }

  @Test
  void aListenerCanRefuseUnderscores() throws Exception {
    int before = upstream.requests().size();

    RawHttp.Response response = gateway.raw("strict").send("GET /open/strict HTTP/1.1\r\nHost: x\r\nX_Auth_User: admin\r\n\r\n");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.text()).contains(
        "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"Header field names with '_' are not accepted ('X_Auth_User')\"}");
    assertThat(response.closed()).isTrue();
    assertThat(upstream.requests()).hasSize(before);
  }

  // ---- field size ----

  @Test
  void http2FieldsOverTheFieldLimitGet431WithTheErrorShape() throws Exception {
    int before = upstream.requests().size();
    try (H2Client client = H2Client.h2c(gateway.port())) {
      H2Client.Response response = client.request("GET", "/open/big", Map.of("x-big", "b".repeat(5_000)), null);

      assertThat(response.status()).isEqualTo(431);
      assertThat(response.headers().get("content-type").toString()).isEqualTo("application/json");
      assertThat(response.bodyText()).startsWith(
          "{\"error\":{\"code\":\"HEADERS_TOO_LARGE\",\"message\":\"Header field 'x-big' is larger than 4096 bytes\"}");
    }
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void http2CookiesAreMeasuredOneByOneThoughTheGatewayJoinsThem() throws Exception {
    try (RawH2 client = new RawH2(gateway.port())) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      block.writeBytes(RawH2.requestBlock("GET", "/open/cookies", Map.of()));
      RawH2.literal(block, "cookie", "a=" + "1".repeat(3_000));
      RawH2.literal(block, "cookie", "b=" + "2".repeat(3_000));
      client.headers(1, block.toByteArray(), true);
      client.flush();

      Poll.until("the request with two large cookies reached the upstream",
          () -> upstream.requests().stream().anyMatch(r -> r.uri().equals("/open/cookies")));
    }
    HttpRequest seen = upstream.requests().stream().filter(r -> r.uri().equals("/open/cookies")).findFirst().orElseThrow();
    assertThat(seen.headers().get("cookie")).as(seen.toString()).hasSize(2 * 3_002 + 2);
  }

  @Test
  void http2HeaderBlocksOverTheListLimitAreLeftToHpackAndNetty() throws Exception {
    // max_header_bytes is 16 KiB: SETTINGS_MAX_HEADER_LIST_SIZE. Up to a quarter over it, Netty answers the stream
    // itself with a bare 431 and resets it; further over, the connection ends with GOAWAY.
    try (RawH2 client = new RawH2(gateway.port())) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      block.writeBytes(RawH2.requestBlock("GET", "/open/list", Map.of()));
      RawH2.literal(block, "x-a", "a".repeat(3_000));
      RawH2.literal(block, "x-b", "b".repeat(3_000));
      RawH2.literal(block, "x-c", "c".repeat(3_000));
      RawH2.literal(block, "x-d", "d".repeat(3_000));
      RawH2.literal(block, "x-e", "e".repeat(3_000));
      RawH2.literal(block, "x-f", "f".repeat(2_500));
      sendInTwoFrames(client, block.toByteArray()); // one frame may carry 16 KiB

      RawH2.Frame answer = client.readUntil(RawH2.HEADERS, 5_000);
      assertThat(answer).as("an answer on the stream").isNotNull();
      assertThat(answer.streamId()).isEqualTo(1);
      assertThat(new String(answer.payload(), StandardCharsets.ISO_8859_1)).as(":status").contains("431");
      RawH2.Frame reset = client.readUntil(RawH2.RST_STREAM, 5_000);
      assertThat(reset).as("then a reset").isNotNull();
      assertThat(reset.streamId()).isEqualTo(1);
      assertThat(client.isClosedByServer(300)).as("the connection stays").isFalse();
    }
    try (RawH2 client = new RawH2(gateway.port())) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      block.writeBytes(RawH2.requestBlock("GET", "/open/list", Map.of()));
      for (int i = 0; i < 7; i++) {
        RawH2.literal(block, "x-" + i, "v".repeat(3_000));
      }
      sendInTwoFrames(client, block.toByteArray());

      assertThat(client.readUntil(RawH2.GOAWAY, 5_000)).as("GOAWAY").isNotNull();
    }
    assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/open/list"));
  }

  /** A header block on stream 1 as HEADERS and one CONTINUATION frame. */
  private static void sendInTwoFrames(RawH2 client, byte[] block) throws Exception {
    int half = block.length / 2;
    client.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, java.util.Arrays.copyOfRange(block, 0, half));
    client.frame(RawH2.CONTINUATION, RawH2.END_HEADERS, 1, java.util.Arrays.copyOfRange(block, half, block.length));
    client.flush();
  }

  // ---- request ids ----

  @Test
  void aTrustedProxysWellFormedRequestIdIsKept() throws Exception {
    var response = behindProxy.send("GET", "/rid", "x-request-id", "0af7651916cd43dd8448eb211c80319c:1.b-2_c");

    assertThat(upstream.lastRequest().headers().get("x-request-id")).isEqualTo("0af7651916cd43dd8448eb211c80319c:1.b-2_c");
    assertThat(response.headers().firstValue("x-request-id")).hasValue("0af7651916cd43dd8448eb211c80319c:1.b-2_c");
    assertThat(behindProxy.accessLog()).contains(" 0af7651916cd43dd8448eb211c80319c:1.b-2_c ");
  }

  @Test
  void aMalformedOrLongOrRepeatedRequestIdIsReplacedEvenFromATrustedProxy() throws Exception {
    for (String header : new String[] {"X-Request-Id: a b", "X-Request-Id: " + "a".repeat(65), "X-Request-Id: <script>",
        "X-Request-Id: a\r\nX-Request-Id: b", "X-Request-Id: "}) {
      RawHttp.Response response = behindProxy.raw().send("GET /rid HTTP/1.1\r\nHost: x\r\n" + header + "\r\nConnection: close\r\n\r\n");

      assertThat(response.status()).as(header).isEqualTo(200);
      String sent = upstream.lastRequest().headers().get("x-request-id");
      assertThat(sent).as(header).hasSize(26).matches("[0-9A-Z]+");
      assertThat(response.text()).as(header).containsIgnoringCase("x-request-id: " + sent);
    }
  }

  @Test
  void overHttp2TheRequestIdIsKeptOnlyFromATrustedProxy() throws Exception {
    try (H2Client trusted = H2Client.h2c(behindProxy.port()); H2Client untrusted = H2Client.h2c(gateway.port())) {
      H2Client.Response kept = trusted.request("GET", "/rid", Map.of("x-request-id", "edge-7"), null);
      assertThat(kept.headers().get("x-request-id").toString()).isEqualTo("edge-7");
      assertThat(upstream.lastRequest().headers().get("x-request-id")).isEqualTo("edge-7");

      H2Client.Response replaced = untrusted.request("GET", "/rid", Map.of("x-request-id", "edge-7"), null);
      assertThat(replaced.headers().get("x-request-id").toString()).isNotEqualTo("edge-7").hasSize(26);
      assertThat(upstream.lastRequest().headers().get("x-request-id")).isEqualTo(replaced.headers().get("x-request-id").toString());
    }
  }
}
