package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.TestPlugins;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code Decision.respondAndForward}: the client's answer at once, the request upstream in the background for the plugin alone. */
@ExtendWith(NoLeaksExtension.class)
class RespondAndForwardTest {

  private static final String CONFIG = """
      server:
        listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - id: early
          match: { path: /early/** }
          upstream: backend
          plugins: [ { test_forward: { early: "answered early" } }, { test_observe: {} } ]
      """;

  @BeforeEach
  void clear() {
    TestPlugins.FORWARD_SEEN.clear();
  }

  @Test
  void theClientIsAnsweredAndTheRequestStillReachesTheUpstreamForThePluginAlone() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      upstream.echoStatus(503);

      HttpResponse<String> answered = gateway.send("GET", "/early/a");
      Poll.until("the background request ended", () -> TestPlugins.FORWARD_SEEN.size() == 4,
          TestPlugins.FORWARD_SEEN::toString);
      HttpResponse<String> next = gateway.send("GET", "/early/b");

      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(answered.body()).isEqualTo("answered early");
      assertThat(next.body()).as("the connection serves the next request").isEqualTo("answered early");
      assertThat(upstream.requestsFor("/early/a")).isEqualTo(1);
      assertThat(upstream.lastRequest().headers().get("x-background")).as("as the plugin left it").isEqualTo("yes");
      assertThat(TestPlugins.FORWARD_SEEN).startsWith("response 200 true", "complete 200", "response 503 false", "complete 503");
      assertThat(gateway.accessLog()).as("only the client's exchange is logged").containsOnlyOnce("/early/a");
    }
  }

  @Test
  void theBackgroundRequestOutlivesItsHttp2Stream() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      try (H2Client h2 = H2Client.h2c(gateway.port())) {
        assertThat(h2.get("/early/h2").bodyText()).isEqualTo("answered early");
      }

      Poll.until("the background request ended", () -> TestPlugins.FORWARD_SEEN.contains("complete 200")
          && TestPlugins.FORWARD_SEEN.size() == 4, TestPlugins.FORWARD_SEEN::toString);
      assertThat(upstream.requestsFor("/early/h2")).isEqualTo(1);
    }
  }
}
