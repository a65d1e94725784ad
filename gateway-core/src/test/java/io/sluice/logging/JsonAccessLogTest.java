package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code access_log: { format: json }} on a real gateway: each line parsed with Jackson and checked field by field. */
class JsonAccessLogTest {

  private static final String TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
          access_log: { format: json }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: denied
            match: { path: /guarded/** }
            upstream: backend
            plugins:
              - test_deny: {}
          - id: waits
            match: { path: /waits/** }
            upstream: backend
            plugins:
              - test_async: { delay: 30ms }
          - id: api
            match: { path: /**, methods: [GET, POST] }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private static JsonNode line(String pathPart) throws Exception {
    return gateway.accessLogLine(pathPart);
  }

  @Test
  void aProxiedHttp1RequestIsLoggedFieldByField() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/items/7?page=2&sort=name");
    assertThat(response.statusCode()).isEqualTo(200);
    HttpRequest received = upstream.lastRequest();

    JsonNode line = line("/items/7");
    assertThat(line.get("time").asText()).matches(TIME);
    assertThat(line.get("request_id").asText()).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
    assertThat(line.get("trace_id").asText()).matches("[0-9a-f]{32}");
    assertThat(received.headers().get("traceparent")).startsWith("00-" + line.get("trace_id").asText() + "-");
    assertThat(line.get("client_ip").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("peer_ip").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("listener").asText()).isEqualTo("public");
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(line.get("method").asText()).isEqualTo("GET");
    assertThat(line.get("host").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("path").asText()).isEqualTo("/items/7?page=2&sort=name");
    assertThat(line.get("route").asText()).isEqualTo("api");
    assertThat(line.get("upstream").asText()).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.has("grpc_status")).isFalse();
    assertThat(line.has("error_code")).isFalse();
    assertThat(line.has("abort")).isFalse();
    assertThat(line.get("bytes_in").asLong()).isZero();
    assertThat(line.get("bytes_out").asLong()).isEqualTo(response.body().length());
    assertThat(line.get("duration_ms").isNumber()).isTrue();
    assertThat(line.get("upstream_ms").isNumber()).isTrue();
    assertThat(line.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(line.get("upstream_ms").asDouble());
    assertThat(line.has("plugins")).as("a route without plugins").isFalse();
    assertThat(line.has("subject")).isFalse();
    assertThat(line.get("attempts").asInt()).isEqualTo(1);
    assertThat(gateway.server().meters().get("sluice.access_log.dropped").functionCounter().count()).isZero();
  }

  @Test
  void upstreamTimeIsTheWaitForTheUpstreamsAnswer() throws Exception {
    gateway.send("GET", "/slow?ms=120");

    JsonNode line = line("/slow?ms=120");
    assertThat(line.get("upstream_ms").asDouble()).isGreaterThanOrEqualTo(120);
    assertThat(line.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(line.get("upstream_ms").asDouble());
  }

  @Test
  void anHttp2RequestIsLoggedAsHttp2() throws Exception {
    try (H2Client client = H2Client.h2c(gateway.port())) {
      H2Client.Response response = client.get("/h2/items?x=1");
      assertThat(response.status()).isEqualTo(200);

      JsonNode line = line("/h2/items");
      assertThat(line.get("protocol").asText()).isEqualTo("HTTP/2");
      assertThat(line.get("path").asText()).isEqualTo("/h2/items?x=1");
      assertThat(line.get("request_id").asText()).isEqualTo(response.headers().get("x-request-id").toString());
      assertThat(line.get("status").asInt()).isEqualTo(200);
      assertThat(line.get("route").asText()).isEqualTo("api");
      assertThat(line.get("listener").asText()).isEqualTo("public");
      assertThat(line.get("attempts").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aRejectedRequestHasItsErrorAndThePluginsThatRan() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/guarded/doc", "x-deny", "1");
    assertThat(response.statusCode()).isEqualTo(403);

    JsonNode line = line("/guarded/doc");
    assertThat(line.get("status").asInt()).isEqualTo(403);
    assertThat(line.get("route").asText()).isEqualTo("denied");
    assertThat(line.get("error_code").asText()).isEqualTo("FORBIDDEN");
    assertThat(line.get("error_source").asText()).isEqualTo("client");
    assertThat(line.get("error_details").asText()).isEqualTo("test_deny.header_present");
    assertThat(line.has("upstream")).isFalse();
    assertThat(line.has("upstream_ms")).isFalse();
    assertThat(line.get("attempts").asInt()).isZero();
    assertThat(line.get("plugins").get("test_deny").isNumber()).isTrue();
    assertThat(line.get("trace_id").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void aRequestTheRoutesRefuseIsLoggedWithItsCode() throws Exception {
    HttpResponse<String> response = gateway.send("DELETE", "/items/9");
    assertThat(response.statusCode()).isEqualTo(405);

    JsonNode line = line("/items/9");
    assertThat(line.get("method").asText()).isEqualTo("DELETE");
    assertThat(line.get("error_code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    assertThat(line.get("error_source").asText()).isEqualTo("client");
    assertThat(line.get("status").asInt()).isEqualTo(405);
    assertThat(line.has("route")).isFalse();
    assertThat(line.get("attempts").asInt()).isZero();
  }

  @Test
  void aPluginThatWaitsIsTimedUntilItsDecision() throws Exception {
    gateway.send("GET", "/waits/here");

    JsonNode line = line("/waits/here");
    assertThat(line.get("plugins").get("test_async").asDouble()).isGreaterThanOrEqualTo(30);
    assertThat(line.get("status").asInt()).isEqualTo(200);
  }

  @Test
  void credentialsAreNeverLogged() throws Exception {
    gateway.send("GET", "/secrets?api_key=key-4e1f&access_token=tok-9b2c&page=3",
        "Authorization", "Bearer auth-77aa", "Cookie", "session=cookie-5d3e", "X-Api-Key", "hdr-6c1b");

    String log = gateway.accessLog();
    assertThat(log).doesNotContain("key-4e1f", "tok-9b2c", "auth-77aa", "cookie-5d3e", "hdr-6c1b");
    assertThat(line("/secrets").get("path").asText()).isEqualTo("/secrets?api_key=REDACTED&access_token=REDACTED&page=3");
    assertThat(upstream.lastRequest().uri()).as("the upstream still gets the key").contains("api_key=key-4e1f");
  }
}
