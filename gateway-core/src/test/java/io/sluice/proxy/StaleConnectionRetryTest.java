package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reused keep-alive connection that the upstream closes without answering may have carried the
 * request to the upstream: only requests that are safe to repeat are sent again. {@code /flaky}
 * on the test upstream counts every request that reaches it, then closes a reused connection
 * without a word, as an upstream does that timed out an idle connection just as a request arrived
 * (or one that died processing it).
 */
class StaleConnectionRetryTest {

  private static Gateway gateway(TestUpstream upstream) throws Exception {
    return Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
            max_connections_per_endpoint: 1
        routes:
          - { id: opted-in, match: { path: /opted-in/** }, upstream: backend, rewrite: { strip_prefix: /opted-in },
              retry_non_idempotent: true }
          - { id: all, match: { path: /** }, upstream: backend }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @Test
  void aBodylessPostOnAStaleConnectionIsNotSentASecondTime() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream)) {
      assertThat(gateway.send("GET", "/flaky").statusCode()).isEqualTo(200);

      HttpResponse<String> post = gateway.send("POST", "/flaky");

      assertThat(post.statusCode()).isEqualTo(502);
      assertThat(post.body()).contains("\"code\":\"UPSTREAM_UNAVAILABLE\"").contains("\"request_id\":");
      // the warm-up GET and the POST the upstream received before it closed: nothing more
      assertThat(upstream.requestsFor("/flaky")).isEqualTo(2);
    }
  }

  @Test
  void idempotentMethodsAreSentAgainOnAFreshConnection() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream)) {
      for (String method : new String[] {"DELETE", "PUT", "OPTIONS"}) {
        long before = upstream.requestsFor("/flaky");
        assertThat(gateway.send("GET", "/warm-up").statusCode()).isEqualTo(200); // the connection is reused next

        HttpResponse<String> repeated = gateway.send(method, "/flaky");

        assertThat(repeated.statusCode()).as(method).isEqualTo(200);
        assertThat(repeated.body()).isEqualTo(method + " /flaky");
        // the one the stale connection lost, and the one sent again on a fresh connection
        assertThat(upstream.requestsFor("/flaky") - before).as(method).isEqualTo(2);
      }
    }
  }

  @Test
  void aRouteThatOptsInHasItsPostSentAgain() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream)) {
      assertThat(gateway.send("GET", "/opted-in/flaky").statusCode()).isEqualTo(200);

      HttpResponse<String> post = gateway.send("POST", "/opted-in/flaky");

      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(post.body()).isEqualTo("POST /flaky");
      assertThat(upstream.requestsFor("/flaky")).isEqualTo(3);
    }
  }
}
