package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.Poll;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GracefulDrainTest {

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
