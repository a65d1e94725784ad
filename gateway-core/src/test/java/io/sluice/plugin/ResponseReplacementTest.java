package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code Response.replaceWith}: a plugin sends another response than the upstream's or the gateway's own. */
@ExtendWith(NoLeaksExtension.class)
class ResponseReplacementTest {

  private static final String CONFIG = """
      server:
        listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        gone: { endpoints: [ "http://127.0.0.1:${CLOSED}" ], timeouts: { connect: 1s } }
      routes:
        - id: replaced
          match: { path: /r/** }
          upstream: backend
          plugins: [ { test_replace: { status: 503, body: "from the plugin" } } ]
        - id: gone
          match: { path: /gone/** }
          upstream: gone
          plugins: [ { test_replace: { status: 502, body: "instead of an error" } } ]
      """;

  private static Map<String, String> env(TestUpstream upstream) throws Exception {
    try (ServerSocket probe = new ServerSocket(0)) {
      return Map.of("UPSTREAM", String.valueOf(upstream.port()), "CLOSED", String.valueOf(probe.getLocalPort()));
    }
  }

  @Test
  void theUpstreamsResponseIsReplacedAndItsConnectionServesTheNextRequest() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = Gateway.start(CONFIG, env(upstream))) {
      upstream.echoStatus(503);

      HttpResponse<String> replaced = gateway.send("GET", "/r/a");
      HttpResponse<String> head = gateway.send("HEAD", "/r/a");
      upstream.echoStatus(200);
      HttpResponse<String> untouched = gateway.send("GET", "/r/b");

      assertThat(replaced.statusCode()).isEqualTo(200);
      assertThat(replaced.body()).isEqualTo("from the plugin");
      assertThat(replaced.headers().firstValue("x-seen-status")).contains("503");
      assertThat(replaced.headers().firstValue("content-length")).contains("15");
      assertThat(replaced.headers().firstValue("x-request-id")).isPresent();
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      assertThat(untouched.statusCode()).isEqualTo(200);
      assertThat(untouched.headers().firstValue("x-seen-status")).isEmpty();
      assertThat(upstream.connections()).as("the upstream connection was reused").isEqualTo(1);
      try (H2Client h2 = H2Client.h2c(gateway.port())) {
        upstream.echoStatus(503);
        H2Client.Response overH2 = h2.get("/r/c");
        assertThat(overH2.status()).isEqualTo(200);
        assertThat(overH2.bodyText()).isEqualTo("from the plugin");
      }
    }
  }

  @Test
  void theGatewaysOwnErrorIsReplaced() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = Gateway.start(CONFIG, env(upstream))) {
      HttpResponse<String> replaced = gateway.send("GET", "/gone/x");

      assertThat(replaced.statusCode()).isEqualTo(200);
      assertThat(replaced.body()).isEqualTo("instead of an error");
      assertThat(replaced.headers().firstValue("x-seen-status")).contains("502");
      assertThat(gateway.send("GET", "/gone/y").body()).as("the connection serves the next request")
          .isEqualTo("instead of an error");
    }
  }
}
