package io.sluice.config;

import static io.sluice.config.YamlSnippets.HEADER;
import static io.sluice.config.YamlSnippets.routeProblems;
import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigWebSocketTest {

  @Test
  void aBareWebSocketSectionHasTheDocumentedDefaults() throws Exception {
    GatewayConfig config = valid(HEADER + """
          - { id: a, match: { path: /a }, upstream: users, websocket: }
          - { id: b, match: { path: /b }, upstream: users, websocket: {} }
          - { id: c, match: { path: /c }, upstream: users, websocket: { allowed_origins: ["*"] } }
          - { id: d, match: { path: /d }, upstream: users }
        """);

    assertThat(config.routes()).extracting(RouteConfig::websocket).containsExactly(WebSocketConfig.DEFAULTS,
        WebSocketConfig.DEFAULTS, WebSocketConfig.DEFAULTS, null);
    assertThat(WebSocketConfig.DEFAULTS).isEqualTo(new WebSocketConfig(List.of(), 1024 * 1024, Duration.ofMinutes(5), null));
  }

  @Test
  void mistakesAreNamedWithTheirPosition() {
    assertThat(routeProblems("""
          - id: a
            match: { path: /a }
            upstream: users
            websocket:
              allowed_origins: ["https://app.example.com/", "*", "app.example.com"]
              max_message_bytes: 0
              idle_timout: 5m
              message_rate: { limit: 0 }
          - { id: b, match: { path: /b }, respond: { status: 200 }, websocket: {} }
        """)).containsExactly(
            "sluice.yaml:11:25 routes[0].websocket.allowed_origins[0]: allowed_origins: 'https://app.example.com/' is not an"
                + " origin: it ends with '/', and an origin has no path (expected: an origin as scheme://host[:port] such as"
                + " https://app.example.com, a pattern such as https://*.example.com, null, or *)",
            "sluice.yaml:11:58 routes[0].websocket.allowed_origins[2]: allowed_origins: 'app.example.com' is not an origin:"
                + " it has no scheme (expected: an origin as scheme://host[:port] such as https://app.example.com, a pattern"
                + " such as https://*.example.com, null, or *)",
            "sluice.yaml:12:26 routes[0].websocket.max_message_bytes: '0' (expected: a size of at least 1 byte)",
            "sluice.yaml:13:7 routes[0].websocket: unknown key 'idle_timout' (did you mean 'idle_timeout'?)",
            "sluice.yaml:14:21 routes[0].websocket.message_rate: missing required key 'window'",
            "sluice.yaml:14:30 routes[0].websocket.message_rate.limit: '0' (expected: a number of messages, at least 1)",
            "sluice.yaml:15:61 routes[1]: 'websocket' applies only to routes with 'upstream'");
  }

  @Test
  void theUpstreamMustSpeakHttp1() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: public, port: 8080 }]
        upstreams:
          grpc: { protocol: h2c, endpoints: ["http://127.0.0.1:9001"] }
        routes:
          - { id: a, match: { path: /a }, upstream: grpc, websocket: {} }
        """)).containsExactly("sluice.yaml:6:62 routes[0].websocket: WebSocket connections need an HTTP/1.1 upstream, but"
            + " 'grpc' speaks h2c (expected: an upstream with protocol http1)");
  }

  @Test
  void anyOriginStandsAlone() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: users, websocket: { allowed_origins: ["*", "https://app.example.com"] } }
        """)).containsExactly("sluice.yaml:7:82 routes[0].websocket.allowed_origins: '*' allows every origin, so it must be"
            + " the only entry (expected: '*' alone, or a list of origins)");
  }
}
