package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Poll;
import io.sluice.testing.Gateway;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Connection reuse, eviction and retries; client-side timeouts; balancing; header hygiene. */
class ConnectionHandlingTest {

  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static Gateway gateway(String extraServer, String upstreamBlock, Map<String, String> env) throws Exception {
    return Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        %s
        upstreams:
        %s
        routes:
          - { id: all, match: { path: /** }, upstream: backend }
        """.formatted(extraServer, upstreamBlock), env);
  }

  static Gateway gateway(TestUpstream upstream, String extraServer, String extraUpstream) throws Exception {
    return gateway(extraServer, """
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
        %s
        """.formatted(extraUpstream), Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  static HttpResponse<String> get(Gateway gateway, String path) throws Exception {
    return client.send(java.net.http.HttpRequest.newBuilder(gateway.uri(path)).build(), BodyHandlers.ofString());
  }

  @Test
  void aReusedConnectionClosedByTheUpstreamIsRetriedOnceOnAFreshOne() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream, "", "")) {
      assertThat(get(gateway, "/flaky").statusCode()).isEqualTo(200);
      HttpResponse<String> second = get(gateway, "/flaky");

      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(second.body()).isEqualTo("GET /flaky");
      assertThat(upstream.connections()).isEqualTo(2);
    }
  }

  @Test
  void aConnectionTheUpstreamClosedIsNeverHandedOutAgain() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream, "", "")) {
      assertThat(get(gateway, "/close").statusCode()).isEqualTo(200);
      assertThat(get(gateway, "/after-close").statusCode()).isEqualTo(200);
      assertThat(gateway.raw().send("GET /die?after=10 HTTP/1.1\r\nHost: x\r\n\r\n").closed()).isTrue();
      assertThat(get(gateway, "/after-die").statusCode()).isEqualTo(200);
      assertThat(get(gateway, "/reused").statusCode()).isEqualTo(200);

      // /close and /die each cost their connection; everything else reused what was there.
      assertThat(upstream.connections()).isEqualTo(3);
    }
  }

  @Test
  void idleUpstreamConnectionsAreEvicted() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = gateway(upstream, "", "    timeouts: { idle: 200ms }")) {
      assertThat(get(gateway, "/one").statusCode()).isEqualTo(200);
      assertThat(get(gateway, "/two").statusCode()).isEqualTo(200);
      assertThat(upstream.connections()).isEqualTo(1);

      Poll.until("the idle upstream connection evicted", () -> upstream.openConnections() == 0);
      assertThat(get(gateway, "/three").statusCode()).isEqualTo(200);
      assertThat(upstream.connections()).isEqualTo(2);
    }
  }

  @Test
  void idleClientConnectionsAreClosedAfterTheKeepAliveTimeout() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = gateway(upstream, "  limits: { keep_alive_timeout: 300ms }", "");
        Socket socket = gateway.raw().open()) {
      socket.getOutputStream().write("GET /ka HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      int n = in.read(buffer);
      assertThat(new String(buffer, 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200").endsWith("GET /ka");

      long start = System.nanoTime();
      assertThat(in.read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200), Duration.ofMillis(2500));
    }
  }

  @Test
  void clientsThatStopReadingAreCutAfterTheWriteTimeout() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = gateway(upstream, "  limits: { write_timeout: 300ms }", "    timeouts: { response: 30s }")) {
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
        socket.getOutputStream().write("GET /download?bytes=500000000 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        Poll.until("the download started", () -> upstream.requestsFor("/download") == 1);
        Poll.until("the exchange cut", () -> gateway.server().activeExchanges() == 0);
        assertThat(gateway.accessLog()).contains("client_closed");
      }
    }
  }

  @Test
  void roundRobinTakesEachEndpointInTurn() throws Exception {
    try (TestUpstream a = new TestUpstream(); TestUpstream b = new TestUpstream();
        Gateway gateway = gateway("", """
              backend:
                endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}" ]
                load_balancer: round_robin
            """, Map.of("A", String.valueOf(a.port()), "B", String.valueOf(b.port())))) {
      for (int i = 0; i < 10; i++) {
        assertThat(get(gateway, "/rr/" + i).statusCode()).isEqualTo(200);
      }
      assertThat(a.requests()).hasSize(5);
      assertThat(b.requests()).hasSize(5);
    }
  }

  @Test
  void leastRequestAvoidsTheBusyEndpoint() throws Exception {
    try (TestUpstream a = new TestUpstream(); TestUpstream b = new TestUpstream();
        Gateway gateway = gateway("", """
              backend:
                endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}" ]
                load_balancer: least_request
            """, Map.of("A", String.valueOf(a.port()), "B", String.valueOf(b.port())))) {
      CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
          java.net.http.HttpRequest.newBuilder(gateway.uri("/slow?ms=1500")).build(), BodyHandlers.ofString());
      Poll.until("the slow request upstream", () -> a.requests().size() + b.requests().size() == 1);
      TestUpstream busy = a.requests().isEmpty() ? b : a;
      TestUpstream idle = busy == a ? b : a;
      for (int i = 0; i < 10; i++) {
        assertThat(get(gateway, "/lr/" + i).statusCode()).isEqualTo(200);
      }
      assertThat(busy.requests()).hasSize(1);
      assertThat(idle.requests()).hasSize(10);
      assertThat(slow.get().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void trustedProxiesHaveTheirForwardingHeadersAppendedTo() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = gateway(upstream, "  trusted_proxies: [ 127.0.0.0/8 ]", "")) {
      gateway.raw().send("GET /t HTTP/1.1\r\nHost: api.test\r\nX-Forwarded-For: 203.0.113.7\r\n"
          + "Forwarded: for=203.0.113.7;proto=https\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: www.test\r\n"
          + "X-Real-IP: 203.0.113.7\r\nConnection: close\r\n\r\n");

      HttpRequest seen = upstream.lastRequest();
      assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
      assertThat(seen.headers().get("forwarded")).isEqualTo("for=203.0.113.7;proto=https, for=127.0.0.1;host=api.test;proto=http");
      assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("https");
      assertThat(seen.headers().get("x-forwarded-host")).isEqualTo("www.test");
      assertThat(seen.headers().get("x-real-ip")).isEqualTo("203.0.113.7");
    }
  }

  @Test
  void hopByHopRequestHeadersAndUpgradeAreNotForwarded() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream, "", "")) {
      RawHttp.Response response = gateway.raw().send("GET /h HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Drop\r\n"
          + "X-Drop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: websocket\r\nProxy-Authorization: Basic eA==\r\n"
          + "Proxy-Connection: keep-alive\r\nX-Keep: 1\r\n\r\n");

      assertThat(response.status()).isEqualTo(200);
      HttpRequest seen = upstream.lastRequest();
      assertThat(seen.headers().names()).map(String::toLowerCase)
          .doesNotContain("x-drop", "keep-alive", "te", "upgrade", "proxy-authorization", "proxy-connection")
          .contains("x-keep");
      assertThat(seen.headers().get("connection")).isNull();
    }
  }

  @Test
  void chunkedRequestsKeepTheirTrailers() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream, "", "")) {
      RawHttp.Response response = gateway.raw().send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
          + "Connection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Digest: sha-256=abc\r\n\r\n");

      assertThat(response.text()).endsWith("received=5");
      assertThat(upstream.lastTrailers().get("x-digest")).isEqualTo("sha-256=abc");
    }
  }
}
