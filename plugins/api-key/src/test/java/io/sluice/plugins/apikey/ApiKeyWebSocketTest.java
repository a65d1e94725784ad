package io.sluice.plugins.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.WebSocketEchoUpstream;
import io.sluice.testing.WebSocketTestClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A WebSocket upgrade passes the api_key plugin like any request: refused before the upstream without a key. */
class ApiKeyWebSocketTest {

  @Test
  void anUpgradeWithoutAValidKeyIsRefusedAndOneWithAKeyReachesTheUpstreamWithItsConsumer() throws Exception {
    try (WebSocketEchoUpstream upstream = new WebSocketEchoUpstream();
        Gateway gateway = Gateway.start("""
            server:
              listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
            upstreams:
              realtime: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
            routes:
              - id: live
                match: { path: /ws/** }
                upstream: realtime
                websocket: {}
                plugins:
                  - api_key: { forward_consumer_header: x-consumer, consumers: [ { name: dashboard, keys: [ws-key] } ] }
            """, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      try (WebSocketTestClient missing = WebSocketTestClient.connect(gateway.port(), "/ws/feed");
          WebSocketTestClient wrong = WebSocketTestClient.connect(gateway.port(), "/ws/feed", "x-api-key", "nope")) {
        assertThat(missing.handshake().status()).isEqualTo(401);
        assertThat(missing.handshake().body()).contains("\"UNAUTHENTICATED\"");
        assertThat(wrong.handshake().status()).isEqualTo(401);
      }
      assertThat(upstream.upgraded()).isZero();

      try (WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/feed", "x-api-key", "ws-key")) {
        assertThat(client.upgraded()).isTrue();
        client.sendText("hi");
        assertThat(client.next().text()).isEqualTo("hi");
      }
      Poll.until("the upstream completed the handshake", () -> upstream.upgraded() == 1);
      assertThat(upstream.handshakes().get(0).get("x-consumer")).isEqualTo("dashboard");
      assertThat(upstream.handshakes().get(0).contains("x-api-key")).isFalse();
    }
  }
}
