package io.sluice.plugins.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The api_key plugin in a real gateway, in front of a real upstream. */
class ApiKeyGatewayTest {

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: header
            match: { path: /header/** }
            upstream: backend
            plugins:
              - api_key:
                  forward_consumer_header: x-consumer
                  consumers:
                    - { name: mobile-app, keys: ["${MOBILE_KEY}"], roles: [user] }
                    - { name: billing, key_hashes: ["${BILLING_HASH}"], roles: [admin] }
                    - { name: partner, keys: [partner-key-1, partner-key-2] }
          - id: kept
            match: { path: /kept/** }
            upstream: backend
            plugins:
              - api_key: { header_name: authorization-key, strip_key: false, consumers: [ { name: ops, keys: [ops-key] } ] }
          - id: shadow
            match: { path: /shadow/** }
            upstream: backend
            plugins:
              - api_key: { enforce: false, forward_consumer_header: x-consumer, consumers: [ { name: ops, keys: [ops-key] } ] }
          - id: query
            match: { path: /query/** }
            upstream: backend
            plugins:
              - api_key: { key_from: query, forward_consumer_header: x-consumer, consumers: [ { name: feed, keys: [feed-key] } ] }
          - id: switched-off
            match: { path: /off/** }
            upstream: backend
            plugins:
              - api_key: { enabled: false, forward_consumer_header: x-service, consumers: [ { name: svc, keys: [svc-key] } ] }
          - id: open
            match: { path: /open/** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "MOBILE_KEY", "mobile-secret",
            "BILLING_HASH", sha256Hex("hashed-secret")));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  static String sha256Hex(String key) {
    return java.util.HexFormat.of().formatHex(KeyTable.sha256(key));
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    return gateway.send("GET", path, headers);
  }

  @Test
  void noRouteLetsAClientNameTheConsumer() throws Exception {
    // neither on a route without api_key nor where it is switched off
    for (String path : new String[] {"/open/a", "/off/a"}) {
      HttpResponse<String> response = get(path, "x-consumer", "billing", "X-Service", "svc", "x-other", "kept");

      assertThat(response.statusCode()).as(path).isEqualTo(200);
      HttpRequest seen = upstream.lastRequest();
      assertThat(seen.uri()).isEqualTo(path);
      assertThat(seen.headers().contains("x-consumer")).as(path).isFalse();
      assertThat(seen.headers().contains("x-service")).as(path).isFalse();
      assertThat(seen.headers().get("x-other")).isEqualTo("kept");
    }
  }

  @Test
  void theConsumerHeaderIsDeclaredForTheGatewayToStrip() {
    ApiKeyConfig config = new ApiKeyConfig(null, null, null,
        java.util.List.of(new ApiKeyConfig.Consumer("a", java.util.List.of("k"), java.util.List.of(), java.util.List.of())),
        "x-consumer", null);

    assertThat(new ApiKeyPluginFactory().identityHeaders(config)).containsExactly("x-consumer");
    assertThat(new ApiKeyPluginFactory().identityHeaders(new ApiKeyConfig(null, null, null, config.consumers(), null, null)))
        .isEmpty();
  }

  @Test
  void aPlainKeyFromTheEnvironmentLetsTheConsumerThroughWithoutTheKey() throws Exception {
    HttpResponse<String> response = get("/header/a", "x-api-key", "mobile-secret");

    assertThat(response.statusCode()).isEqualTo(200);
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.uri()).isEqualTo("/header/a");
    assertThat(seen.headers().get("x-consumer")).isEqualTo("mobile-app");
    assertThat(seen.headers().contains("x-api-key")).as("the key is stripped").isFalse();
  }

  @Test
  void aKeyConfiguredOnlyAsItsHashIsAccepted() throws Exception {
    HttpResponse<String> response = get("/header/b", "x-api-key", "hashed-secret");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-consumer")).isEqualTo("billing");
  }

  @Test
  void everyKeyOfAConsumerWorks() throws Exception {
    for (String key : new String[] {"partner-key-1", "partner-key-2"}) {
      assertThat(get("/header/c", "x-api-key", key).statusCode()).as(key).isEqualTo(200);
      assertThat(upstream.lastRequest().headers().get("x-consumer")).as(key).isEqualTo("partner");
    }
  }

  @Test
  void aMissingKeyIs401AndTheUpstreamIsNotCalled() throws Exception {
    int before = upstream.requests().size();
    HttpResponse<String> response = get("/header/a");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains(
        "{\"error\":{\"code\":\"UNAUTHENTICATED\",\"message\":\"An API key is required in the header x-api-key\"}");
    assertThat(upstream.requests()).hasSize(before);
    assertThat(gateway.accessLog()).contains("UNAUTHENTICATED client \"api_key.missing\"");
  }

  @Test
  void aWrongKeyIs401WithoutSayingWhatWasWrong() throws Exception {
    int before = upstream.requests().size();
    for (String wrong : new String[] {"mobile-secreT", "mobile-secret-", sha256Hex("hashed-secret"), "x"}) {
      HttpResponse<String> response = get("/header/a", "x-api-key", wrong);

      assertThat(response.statusCode()).as(wrong).isEqualTo(401);
      assertThat(response.body()).as(wrong)
          .contains("{\"error\":{\"code\":\"UNAUTHENTICATED\",\"message\":\"The API key is not valid\"}")
          .doesNotContain(wrong);
    }
    assertThat(upstream.requests()).hasSize(before);
    assertThat(gateway.accessLog()).contains("UNAUTHENTICATED client \"api_key.unknown\"");
  }

  @Test
  void aConsumerHeaderFromTheClientIsReplaced() throws Exception {
    HttpResponse<String> response = get("/header/a", "x-api-key", "mobile-secret", "x-consumer", "billing",
        "X-Consumer", "admin");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().getAll("x-consumer")).containsExactly("mobile-app");
  }

  @Test
  void aSpoofedConsumerHeaderNeverReachesTheUpstreamEvenWhenARefusalIsOnlyLogged() throws Exception {
    HttpResponse<String> response = get("/shadow/a", "x-consumer", "ops");

    assertThat(response.statusCode()).as("shadow mode lets it through").isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/shadow/a");
    assertThat(upstream.lastRequest().headers().contains("x-consumer")).isFalse();
  }

  @Test
  void aSpoofedConsumerHeaderIsNoKey() throws Exception {
    assertThat(get("/header/a", "x-consumer", "mobile-app").statusCode()).isEqualTo(401);
  }

  @Test
  void theKeyIsForwardedWhenStripKeyIsOff() throws Exception {
    HttpResponse<String> response = get("/kept/a", "authorization-key", "ops-key");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("authorization-key")).isEqualTo("ops-key");
    assertThat(get("/kept/a", "x-api-key", "ops-key").statusCode()).as("only the configured header counts").isEqualTo(401);
  }

  @Test
  void aKeyInTheQueryIsReadFromTheConfiguredParameter() throws Exception {
    HttpResponse<String> response = get("/query/a?x=1&api_key=feed-key", "x-consumer", "spoofed");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-consumer")).isEqualTo("feed");

    HttpResponse<String> missing = get("/query/a?x=1", "x-api-key", "feed-key");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("An API key is required in the query parameter api_key");
    assertThat(get("/query/a?api_key=wrong").statusCode()).isEqualTo(401);
  }
}
