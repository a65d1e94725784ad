package io.sluice.plugins.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the JSON access log says about api_key requests: the consumer, and never a key. */
class ApiKeyAccessLogTest {


  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          access_log: { format: json }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: query
            match: { path: /query/** }
            upstream: backend
            plugins:
              - api_key: { key_from: query, query_param: k, consumers: [ { name: feed, keys: [feed-key-31f4] } ] }
          - id: header
            match: { path: /header/** }
            upstream: backend
            plugins:
              - api_key: { consumers: [ { name: mobile-app, keys: [mobile-key-8c2e] } ] }
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
  void aKeyInTheConfiguredQueryParameterIsRedactedAndTheConsumerLogged() throws Exception {
    assertThat(gateway.send("GET", "/query/feed?page=1&k=feed-key-31f4").statusCode()).isEqualTo(200);

    JsonNode line = line("/query/feed");
    assertThat(line.get("path").asText()).isEqualTo("/query/feed?page=1&k=REDACTED");
    assertThat(line.get("subject").asText()).isEqualTo("feed");
    assertThat(line.get("consumer").asText()).isEqualTo("feed");
    assertThat(line.get("plugins").get("api_key").isNumber()).isTrue();
    assertThat(gateway.accessLog()).doesNotContain("feed-key-31f4");
  }

  @Test
  void aWrongKeyIsNotLoggedEither() throws Exception {
    assertThat(gateway.send("GET", "/query/wrong?k=guess-7d1a").statusCode()).isEqualTo(401);

    JsonNode line = line("/query/wrong");
    assertThat(line.get("error_code").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(line.get("error_details").asText()).isEqualTo("api_key.unknown");
    assertThat(line.has("subject")).isFalse();
    assertThat(gateway.accessLog()).doesNotContain("guess-7d1a");
  }

  @Test
  void aKeyInAHeaderNeverReachesTheLog() throws Exception {
    assertThat(gateway.send("GET", "/header/me", "x-api-key", "mobile-key-8c2e", "Cookie", "sid=cookie-4b9a").statusCode())
        .isEqualTo(200);

    assertThat(line("/header/me").get("consumer").asText()).isEqualTo("mobile-app");
    assertThat(gateway.accessLog()).doesNotContain("mobile-key-8c2e", "cookie-4b9a");
  }
}
