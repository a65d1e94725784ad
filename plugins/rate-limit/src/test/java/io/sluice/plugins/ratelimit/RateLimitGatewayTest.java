package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plugin in a real gateway in front of a real upstream; limits with windows long enough that wall-clock time does not matter. */
class RateLimitGatewayTest {

  static TestUpstream upstream;
  static Gateway gateway;
  static Gateway behindProxy;

  private static final String ROUTES = """
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - id: fixed
          match: { path: /fixed/** }
          upstream: backend
          plugins:
            - rate_limit: { algorithm: fixed_window, limit: 3, window: 1h, key: client_ip }
        - id: spoof
          match: { path: /spoof/** }
          upstream: backend
          plugins:
            - rate_limit: { algorithm: fixed_window, limit: 1, window: 1h, key: client_ip }
        - id: quiet
          match: { path: /quiet/** }
          upstream: backend
          plugins:
            - rate_limit: { algorithm: fixed_window, limit: 1, window: 1h, key: global, headers: false }
        - id: by-header
          match: { path: /header/** }
          upstream: backend
          plugins:
            - rate_limit: { algorithm: token_bucket, limit: 1, window: 1h, key: "header:x-api-client" }
        - id: tenants
          match: { path: /tenants/** }
          upstream: backend
          plugins:
            - test_login: { on: true }
            - rate_limit:
                limits:
                  - { algorithm: sliding_window, limit: 2, window: 1h, key: "claim:tenant" }
                  - { algorithm: token_bucket, limit: 5, window: 1h, key: consumer }
        - id: composite
          match: { path: /composite/** }
          upstream: backend
          plugins:
            - test_login: { on: true }
            - rate_limit: { algorithm: fixed_window, limit: 1, window: 1h, key: [ "claim:tenant", route ] }
      """;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        """ + ROUTES, Map.of("UPSTREAM", String.valueOf(upstream.port())));
    behindProxy = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          trusted_proxies: [ 127.0.0.1/32, 10.0.0.0/8 ]
        """ + ROUTES, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() throws Exception {
    behindProxy.close();
    gateway.close();
    upstream.close();
  }

  @Test
  void theRequestOverTheLimitGets429WithTheBudgetInHeadersAndBody() throws Exception {
    HttpResponse<String> first = gateway.send("GET", "/fixed/a");
    gateway.send("GET", "/fixed/a");
    HttpResponse<String> third = gateway.send("GET", "/fixed/a");
    HttpResponse<String> refused = gateway.send("GET", "/fixed/a");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"default\";q=3;w=3600");
    assertThat(first.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
    assertThat(first.headers().firstValue("X-RateLimit-Remaining")).hasValue("2");
    assertThat(third.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
    assertThat(third.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"default\";r=0;t=");

    assertThat(refused.statusCode()).isEqualTo(429);
    long retry = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retry).isBetween(1L, 3600L); // until the fixed hour ends
    assertThat(refused.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
    assertThat(refused.headers().firstValue("RateLimit")).hasValue("\"default\";r=0;t=" + retry);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(refused.body()).startsWith("{\"error\":{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"Rate limit of 3 per 1h exceeded; retry in "
        + retry + "s\",\"retry_after\":" + retry + ",\"limit\":3,\"remaining\":0,\"reset\":" + retry + "},\"request_id\":");
    assertThat(upstream.requestsFor("/fixed/a")).isEqualTo(3);
  }

  @Test
  void allowedResponsesCanLeaveTheBudgetOut() throws Exception {
    HttpResponse<String> allowed = gateway.send("GET", "/quiet/x");
    HttpResponse<String> refused = gateway.send("GET", "/quiet/x");

    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("RateLimit")).isEmpty();
    assertThat(allowed.headers().firstValue("X-RateLimit-Remaining")).isEmpty();
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void aSpoofedForwardedForFromAnUntrustedPeerNeverChangesTheKey() throws Exception {
    assertThat(gateway.send("GET", "/spoof/1", "X-Forwarded-For", "1.1.1.1").statusCode()).isEqualTo(200);

    // counted against 127.0.0.1, whatever it claims
    assertThat(gateway.send("GET", "/spoof/1", "X-Forwarded-For", "2.2.2.2", "Forwarded", "for=9.9.9.9").statusCode()).isEqualTo(429);
  }

  @Test
  void behindATrustedProxyTheFirstUntrustedHopIsTheClient() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(behindProxy.send("GET", "/fixed/chain", "X-Forwarded-For", "6.6.6." + i + ", 198.51.100.7, 10.1.2.3").statusCode())
          .isEqualTo(200);
    }
    assertThat(behindProxy.send("GET", "/fixed/chain", "X-Forwarded-For", "198.51.100.7, 10.9.9.9").statusCode()).isEqualTo(429);
    // another client behind the same proxy has its own budget
    assertThat(behindProxy.send("GET", "/fixed/chain", "X-Forwarded-For", "198.51.100.8").statusCode()).isEqualTo(200);
  }

  @Test
  void aHeaderKeyCountsEachValueApart() throws Exception {
    assertThat(gateway.send("GET", "/header/1", "x-api-client", "a").statusCode()).isEqualTo(200);
    assertThat(gateway.send("GET", "/header/1", "x-api-client", "b").statusCode()).isEqualTo(200);
    assertThat(gateway.send("GET", "/header/1", "x-api-client", "a").statusCode()).isEqualTo(429);
    // without the header the request counts by client IP, apart from every header value
    assertThat(gateway.send("GET", "/header/1").statusCode()).isEqualTo(200);
    assertThat(gateway.send("GET", "/header/1").statusCode()).isEqualTo(429);
  }

  @Test
  void claimsAndConsumersAreKeysAndTheMostRestrictiveLimitAnswers() throws Exception {
    HttpResponse<String> first = gateway.send("GET", "/tenants/1", "x-login", "ann", "x-tenant", "acme", "x-consumer", "shop");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"sliding_window_1\";q=2;w=3600, \"token_bucket_2\";q=5;w=3600");
    assertThat(first.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"sliding_window_1\";r=1;");
    assertThat(gateway.send("GET", "/tenants/1", "x-login", "bob", "x-tenant", "acme", "x-consumer", "shop").statusCode()).isEqualTo(200);
    HttpResponse<String> tenantFull = gateway.send("GET", "/tenants/1", "x-login", "cy", "x-tenant", "acme", "x-consumer", "shop");
    assertThat(tenantFull.statusCode()).isEqualTo(429);
    assertThat(tenantFull.body()).contains("\"limit\":2");
    // another tenant of the same consumer: the consumer's bucket of 5 lost one to each request, the refused one too
    assertThat(gateway.send("GET", "/tenants/1", "x-login", "dee", "x-tenant", "initech", "x-consumer", "shop").statusCode()).isEqualTo(200);
    HttpResponse<String> consumerBudget = gateway.send("GET", "/tenants/1", "x-login", "dee", "x-tenant", "initech", "x-consumer", "shop");
    assertThat(consumerBudget.statusCode()).isEqualTo(200);
    assertThat(consumerBudget.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"token_bucket_2\";r=0;");
    assertThat(gateway.send("GET", "/tenants/1", "x-login", "eve", "x-tenant", "umbrella", "x-consumer", "shop").statusCode()).isEqualTo(429);
  }

  @Test
  void aCompositeKeyCountsEachCombination() throws Exception {
    assertThat(gateway.send("GET", "/composite/1", "x-login", "a", "x-tenant", "acme").statusCode()).isEqualTo(200);
    assertThat(gateway.send("GET", "/composite/1", "x-login", "b", "x-tenant", "acme").statusCode()).isEqualTo(429);
    assertThat(gateway.send("GET", "/composite/1", "x-login", "a", "x-tenant", "globex").statusCode()).isEqualTo(200);
  }
}
