package io.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.WebSocketEchoUpstream;
import io.sluice.testing.WebSocketTestClient;
import io.sluice.testing.WebSocketTestClient.Frame;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A real gateway between Netty's WebSocket client and a Netty WebSocket echo server: the
 * handshake, frames both ways, close codes both ways, lost connections, the route's limits,
 * origin and plugin refusals before the upgrade, drain and metrics.
 */
class WebSocketProxyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CONFIG = """
      server:
        listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
        access_log: { format: json }
      upstreams:
        realtime: { endpoints: [ "http://127.0.0.1:${WS}" ], timeouts: { response: 5s } }
        plain: { endpoints: [ "http://127.0.0.1:${HTTP}" ] }
      routes:
        - id: live
          match: { path: /ws/** }
          upstream: realtime
          websocket: {}
        - id: guarded
          match: { path: /guarded/** }
          upstream: realtime
          websocket:
            allowed_origins: ["https://app.example.com", "https://*.preview.example.com"]
            max_message_bytes: 1KiB
            message_rate: { limit: 3, window: 1m }
          plugins: [ { test_deny: {} }, { test_async: { delay: 20ms } } ]
        - id: idle
          match: { path: /idle/** }
          upstream: realtime
          websocket: { idle_timeout: 400ms }
        - id: stripped
          match: { path: /stripped/** }
          upstream: realtime
          websocket: {}
          response_headers: { remove: [sec-websocket-protocol], set: { x-ws-route: stripped } }
        - id: rest
          match: { path: /api/** }
          upstream: plain
      """;

  private static Gateway gateway(WebSocketEchoUpstream ws, TestUpstream http) throws Exception {
    return Gateway.start(CONFIG, Map.of("WS", String.valueOf(ws.port()), "HTTP", String.valueOf(http.port())));
  }

  private static JsonNode errorBody(WebSocketTestClient.Handshake refused) throws IOException {
    return JSON.readTree(refused.body()).path("error");
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  @Test
  void textAndOneMebibyteBinaryMessagesAreRelayedBothWays() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/chat?room=1")) {
      assertThat(client.upgraded()).isTrue();
      assertThat(client.handshake().headers().get("x-request-id")).isNotBlank();

      client.sendText("hello");
      Frame text = client.next();
      assertThat(text.kind()).isEqualTo("text");
      assertThat(text.text()).isEqualTo("hello");

      byte[] big = randomBytes(1024 * 1024);
      client.sendBinary(big);
      // Tests run with PARANOID leak detection, which records every access to a pooled buffer; masking and
      // unmasking touch a megabyte word by word four times on the way, which takes seconds here (not in production).
      Frame binary = client.next(Duration.ofSeconds(60));
      assertThat(binary.kind()).isEqualTo("binary");
      assertThat(Arrays.equals(binary.payload(), big)).isTrue();

      assertThat(ws.handshakes()).hasSize(1);
      assertThat(ws.handshakes().get(0).get("x-forwarded-for")).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void aFragmentedMessageIsRelayedFragmentByFragment() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x")) {
      client.sendFragments("ab", "cd", "ef");

      Frame first = client.next();
      Frame second = client.next();
      Frame third = client.next();
      assertThat(first.kind()).isEqualTo("text");
      assertThat(first.fin()).isFalse();
      assertThat(second.kind()).isEqualTo("continuation");
      assertThat(second.fin()).isFalse();
      assertThat(third.kind()).isEqualTo("continuation");
      assertThat(third.fin()).isTrue();
      assertThat(first.text() + second.text() + third.text()).isEqualTo("abcdef");
    }
  }

  @Test
  void aPingIsAnsweredWithAPongCarryingItsPayload() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x")) {
      client.ping("are-you-there");

      Frame pong = client.next();
      assertThat(pong.kind()).isEqualTo("pong");
      assertThat(pong.text()).isEqualTo("are-you-there");
    }
  }

  @Test
  void theSubprotocolIsTheUpstreamsChoiceAndExtensionsAreNeverNegotiated() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connectWithProtocols(gateway.port(), "/ws/x", "mqtt, superchat",
            "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")) {
      assertThat(client.upgraded()).isTrue();
      assertThat(client.handshake().headers().get("sec-websocket-protocol")).isEqualTo("superchat");
      assertThat(client.handshake().headers().contains("sec-websocket-extensions")).isFalse();
      assertThat(ws.handshakes().get(0).contains("sec-websocket-extensions")).isFalse();
      assertThat(ws.handshakes().get(0).get("sec-websocket-protocol")).isEqualTo("mqtt, superchat");
    }
  }

  @Test
  void theRoutesResponseRulesApplyToTheHandshakeButCannotDropTheChosenSubprotocol() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connectWithProtocols(gateway.port(), "/stripped/x", "mqtt, superchat")) {
      // without the subprotocol the client's handshake would fail: it offered some and RFC 6455 requires one back
      assertThat(client.upgraded()).isTrue();
      assertThat(client.handshake().headers().get("sec-websocket-protocol")).isEqualTo("superchat");
      assertThat(client.handshake().headers().get("x-ws-route")).isEqualTo("stripped");
      client.sendText("still talking");
      assertThat(client.next().text()).isEqualTo("still talking");
    }
  }

  @Test
  void theClientsCloseCodeAndReasonReachTheUpstreamAndTheConnectionIsLoggedOnce() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/logged")) {
      client.sendText("12345");
      assertThat(client.next().text()).isEqualTo("12345");

      client.close(4000, "done here");

      Frame reply = client.nextClose();
      assertThat(reply.closeCode()).isEqualTo(1000);
      assertThat(reply.closeReason()).isEqualTo("bye");
      client.awaitClosed();
      Poll.until("the upstream got the close", () -> !ws.closes().isEmpty());
      assertThat(ws.closes().get(0)).isEqualTo(new WebSocketEchoUpstream.Closed(4000, "done here"));

      JsonNode line = gateway.accessLogLine("/ws/logged");
      assertThat(line.path("status").asInt()).isEqualTo(101);
      assertThat(line.path("protocol").asText()).isEqualTo("WebSocket");
      assertThat(line.path("route").asText()).isEqualTo("live");
      assertThat(line.path("bytes_in").asLong()).isEqualTo(5);
      assertThat(line.path("bytes_out").asLong()).isEqualTo(5);
      assertThat(line.path("duration_ms").isNumber()).isTrue();
      assertThat(line.has("abort")).isFalse();
    }
  }

  @Test
  void theUpstreamsCloseCodeAndReasonReachTheClient() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x")) {
      client.sendText("close:4001:see you");

      Frame close = client.nextClose();
      assertThat(close.closeCode()).isEqualTo(4001);
      assertThat(close.closeReason()).isEqualTo("see you");
    }
  }

  @Test
  void anUpstreamThatDropsTheConnectionClosesTheClientWith1011() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x")) {
      client.sendText("abort");

      assertThat(client.nextClose().closeCode()).isEqualTo(1011);
      client.awaitClosed();
      assertThat(gateway.accessLogLine("/ws/x").path("abort").asText()).isEqualTo("upstream_closed");
    }
  }

  @Test
  void aClientThatDropsTheConnectionHasItsUpstreamConnectionClosed() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http)) {
      WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x");
      Poll.until("the upstream connection is open", () -> ws.openConnections() == 1);

      client.abort();

      Poll.until("the upstream connection is closed", () -> ws.openConnections() == 0);
      assertThat(ws.closes()).containsExactly(new WebSocketEchoUpstream.Closed(1001, "Client went away"));
      assertThat(gateway.accessLogLine("/ws/x").path("abort").asText()).isEqualTo("client_closed");
    }
  }

  @Test
  void anOriginOutsideTheAllowListIsRefusedWith403BeforeAnyUpgrade() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http)) {
      for (String origin : new String[] {"https://evil-app.example.com", "null", "https://app.example.com.evil.com",
          "http://app.example.com", "https://preview.example.com"}) {
        try (WebSocketTestClient refused = WebSocketTestClient.connect(gateway.port(), "/guarded/x", "Origin", origin)) {
          assertThat(refused.handshake().status()).as(origin).isEqualTo(403);
          assertThat(errorBody(refused.handshake()).path("code").asText()).isEqualTo("FORBIDDEN");
        }
      }
      assertThat(ws.upgraded()).isZero();

      for (String origin : new String[] {"https://app.example.com", "https://pr-7.preview.example.com"}) {
        try (WebSocketTestClient allowed = WebSocketTestClient.connect(gateway.port(), "/guarded/x", "Origin", origin)) {
          assertThat(allowed.upgraded()).as(origin).isTrue();
        }
      }
      Poll.until("the upstream completed both handshakes", () -> ws.upgraded() == 2);
    }
  }

  @Test
  void theRoutesPluginsRunOnTheUpgradeRequest() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient denied = WebSocketTestClient.connect(gateway.port(), "/guarded/x",
            "Origin", "https://app.example.com", "x-deny", "1")) {
      assertThat(denied.handshake().status()).isEqualTo(403);
      assertThat(JSON.readTree(denied.handshake().body()).path("error").path("message").asText())
          .isEqualTo("Denied by test_deny");
      assertThat(ws.upgraded()).isZero();
    }
  }

  @Test
  void aPlainRequestToAWebSocketRouteGets426AndAnUpgradeToAnotherRouteIsRefused() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http)) {
      var plain = gateway.send("GET", "/ws/chat");
      assertThat(plain.statusCode()).isEqualTo(426);
      assertThat(plain.headers().firstValue("upgrade")).hasValue("websocket");
      assertThat(JSON.readTree(plain.body()).path("error").path("code").asText()).isEqualTo("UPGRADE_REQUIRED");

      try (WebSocketTestClient refused = WebSocketTestClient.connect(gateway.port(), "/api/stream")) {
        assertThat(refused.handshake().status()).isEqualTo(400);
        assertThat(errorBody(refused.handshake()).path("code").asText()).isEqualTo("BAD_REQUEST");
      }
      assertThat(http.requestsFor("/api/stream")).isZero();
      assertThat(ws.upgraded()).isZero();
    }
  }

  @Test
  void anUnreachableUpstreamIs502BeforeTheUpgrade() throws Exception {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0)) {
      closedPort = free.getLocalPort();
    }
    try (TestUpstream http = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("WS", String.valueOf(closedPort), "HTTP", String.valueOf(http.port())));
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x")) {
      assertThat(client.handshake().status()).isEqualTo(502);
      assertThat(errorBody(client.handshake()).path("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
      // the connection stays usable for HTTP
      assertThat(gateway.send("GET", "/api/after").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aMessageOverTheLimitClosesWith1009WholeOrInFragments() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http)) {
      try (WebSocketTestClient whole = WebSocketTestClient.connect(gateway.port(), "/guarded/x", "Origin", "https://app.example.com")) {
        assertThat(whole.handshake().status()).as(whole.handshake().body()).isEqualTo(101);
        whole.sendBinary(new byte[2048]);
        assertThat(whole.nextClose().closeCode()).isEqualTo(1009);
        whole.awaitClosed();
      }
      try (WebSocketTestClient fragmented = WebSocketTestClient.connect(gateway.port(), "/guarded/x", "Origin", "https://app.example.com")) {
        // each fragment is within the limit, the message is not
        fragmented.sendFragments("a".repeat(600), "b".repeat(600));
        assertThat(fragmented.nextClose().closeCode()).isEqualTo(1009);
        fragmented.awaitClosed();
      }
      Poll.until("both upstream connections closed", () -> ws.openConnections() == 0);
      assertThat(ws.closes()).extracting(WebSocketEchoUpstream.Closed::code).containsExactly(1009, 1009);
    }
  }

  @Test
  void messagesBeyondTheRateCloseWith1008() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/guarded/x", "Origin", "https://app.example.com")) {
      for (int i = 1; i <= 3; i++) {
        client.sendText("m" + i);
        assertThat(client.next().text()).isEqualTo("m" + i);
      }

      client.sendText("m4");

      Frame close = client.nextClose();
      assertThat(close.closeCode()).isEqualTo(1008);
      client.awaitClosed();
      assertThat(gateway.accessLogLine("/guarded/x").path("abort").asText()).isEqualTo("message_rate");
    }
  }

  @Test
  void aSilentClientIsPingedThenClosedWith1001WhileOneThatAnswersStaysOpen() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient silent = WebSocketTestClient.connect(gateway.port(), "/idle/silent");
        WebSocketTestClient alive = WebSocketTestClient.connect(gateway.port(), "/idle/alive")) {
      silent.ignorePings();

      Frame close = silent.nextClose();
      assertThat(close.closeCode()).isEqualTo(1001);
      assertThat(silent.pingsReceived()).isGreaterThanOrEqualTo(1);
      silent.awaitClosed();

      // pinged again and again over several idle timeouts, and still open
      Poll.until("the live client was pinged four times", () -> alive.pingsReceived() >= 4);
      assertThat(alive.isOpen()).isTrue();
      alive.sendText("still here");
      assertThat(alive.next().text()).isEqualTo("still here");
    }
  }

  @Test
  void drainClosesOpenWebSocketsWith1001() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        WebSocketTestClient client = WebSocketTestClient.connect(gateway.port(), "/ws/x")) {
      CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> gateway.server().drainAndStop(Duration.ofSeconds(8)));

      assertThat(client.nextClose().closeCode()).isEqualTo(1001);
      client.close(1001, "");
      client.awaitClosed();
      drain.get();
      Poll.until("the upstream connection is closed", () -> ws.openConnections() == 0);
      assertThat(ws.closes()).extracting(WebSocketEchoUpstream.Closed::code).containsExactly(1001);
    }
  }

  @Test
  void aThousandWebSocketsAtOnceEachRelayTheirOwnMessagesInBoundedMemory() throws Exception {
    int count = 1000;
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http)) {
      // the allocator the gateway's channels use (Netty 4.2: the adaptive one), not a pool it never touches
      ByteBufAllocatorMetric buffers = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
      long directBefore = buffers.usedDirectMemory();
      List<WebSocketTestClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          clients.add(WebSocketTestClient.connect(gateway.port(), "/ws/many"));
        }
        for (int i = 0; i < count; i++) {
          clients.get(i).sendText("client " + i);
        }
        for (int i = 0; i < count; i++) {
          assertThat(clients.get(i).next().text()).isEqualTo("client " + i);
        }
        Poll.until("every upstream connection is open", () -> ws.openConnections() == count);
        // a few buffers per connection at most: far below 100 KiB each
        long directWhileOpen = buffers.usedDirectMemory() - directBefore;
        assertThat(directWhileOpen).isLessThan(count * 100L * 1024);
      } finally {
        clients.forEach(client -> client.close(1000, ""));
      }
      Poll.until("every upstream connection is closed", () -> ws.openConnections() == 0);
      gateway.awaitAccessLog();
      assertThat(gateway.accessLogJson("/ws/many")).hasSize(count);
    }
  }

  @Test
  void openWebSocketsAndTheirMessagesAreCounted() throws Exception {
    try (WebSocketEchoUpstream ws = new WebSocketEchoUpstream(); TestUpstream http = new TestUpstream();
        Gateway gateway = gateway(ws, http);
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      WebSocketTestClient one = WebSocketTestClient.connect(gateway.port(), "/ws/1");
      WebSocketTestClient two = WebSocketTestClient.connect(gateway.port(), "/ws/2");
      one.sendText("a");
      two.sendText("b");
      one.sendText("c");
      one.next();
      two.next();
      one.next();

      PrometheusText open = PrometheusText.scrape(admin.port());
      assertThat(open.value("sluice_websockets_active")).isEqualTo(2);
      assertThat(open.value("sluice_websocket_messages_total", "route", "live", "direction", "from_client")).isEqualTo(3);
      assertThat(open.value("sluice_websocket_messages_total", "route", "live", "direction", "to_client")).isEqualTo(3);

      one.close(1000, "");
      two.close(1000, "");
      one.awaitClosed();
      two.awaitClosed();
      Poll.until("no WebSocket counted open", () -> {
        try {
          return PrometheusText.scrape(admin.port()).value("sluice_websockets_active") == 0;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }
}
