package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.Poll;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GracefulDrainTest {

  /** Listeners with the default protocols (HTTP/1.1 and h2c, told apart by the first bytes). */
  private static Gateway gateway(TestUpstream upstream) throws Exception {
    return Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: all, match: { path: /** }, upstream: backend }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  /** Starts draining in the background and returns once the listener refuses new connections. */
  private static CompletableFuture<Void> startDrain(Gateway gateway) throws InterruptedException {
    int port = gateway.port();
    CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> gateway.server().drainAndStop(Duration.ofSeconds(8)));
    Poll.until("the listener is closed", () -> {
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return false;
      } catch (IOException e) {
        return true;
      }
    });
    return drain;
  }

  private static String send(Socket socket, String bytes) throws IOException {
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return "";
  }

  /** Everything the gateway answers until it closes the connection. */
  private static String readToEnd(Socket socket) throws IOException {
    socket.setSoTimeout(5000);
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aConnectionAcceptedBeforeTheDrainHasTheRequestItSendsDuringTheDrainServed() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream);
        Socket socket = new Socket("127.0.0.1", gateway.port())) {
      Poll.until("the gateway accepted the connection", () -> gateway.server().openConnections() == 1);

      CompletableFuture<Void> drain = startDrain(gateway);
      send(socket, "GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n");
      String response = readToEnd(socket);

      assertThat(response).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close").endsWith("slow");
      drain.get();
      assertThat(upstream.requestsFor("/slow")).isEqualTo(1);
    }
  }

  @Test
  void aRequestHeadThatStartedBeforeTheDrainIsServedWhenItCompletesDuringIt() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream);
        Socket socket = new Socket("127.0.0.1", gateway.port())) {
      send(socket, "GET /slow?ms=300 HTTP/1.1\r\n");
      Poll.until("the gateway accepted the connection", () -> gateway.server().openConnections() == 1);

      CompletableFuture<Void> drain = startDrain(gateway);
      send(socket, "Host: x\r\n\r\n");
      String response = readToEnd(socket);

      assertThat(response).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close").endsWith("slow");
      drain.get();
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAtOnce() throws Exception {
    try (TestUpstream upstream = new TestUpstream(); Gateway gateway = gateway(upstream);
        Socket socket = new Socket("127.0.0.1", gateway.port())) {
      send(socket, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
      socket.setSoTimeout(5000);
      byte[] head = new byte[12];
      assertThat(socket.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
      assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");

      long started = System.nanoTime();
      CompletableFuture<Void> drain = startDrain(gateway);
      drain.get();

      // the rest of the first response, then the end of the stream: no wait for a request that may never come
      assertThat(readToEnd(socket)).endsWith("GET /first");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void inFlightRequestsFinishWhileNewConnectionsAreRefused() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start("""
            server:
              listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
            upstreams:
              backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
            routes:
              - { id: all, match: { path: /** }, upstream: backend }
            """, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      int port = gateway.port();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      var inFlight = client.sendAsync(HttpRequest.newBuilder(gateway.uri("/slow?ms=600")).build(),
          HttpResponse.BodyHandlers.ofString());
      Poll.until("the slow exchange in flight", () -> gateway.server().activeExchanges() == 1);

      long started = System.nanoTime();
      gateway.server().drainAndStop(Duration.ofSeconds(5));

      HttpResponse<String> response = inFlight.get();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow");
      assertThat(response.headers().firstValue("connection")).hasValue("close");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
  }
}
