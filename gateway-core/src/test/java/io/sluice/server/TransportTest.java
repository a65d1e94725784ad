package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every transport proxies the same way: a gateway per transport in front of one real upstream. */
class TransportTest {

  static TestUpstream upstream;
  static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final HttpClient H2C = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = new TestUpstream();
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  private static Gateway gateway(String transport) throws Exception {
    return Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
          transport: ${TRANSPORT}
        upstreams:
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
        routes:
          - id: all
            match: { path: /** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "TRANSPORT", transport));
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void proxiesRequestsAndBodiesBothWays(String transport) throws Exception {
    assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring is not available here");
    assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "epoll is not available here");
    try (Gateway gateway = gateway(transport)) {
      assertThat(gateway.server().transportName()).isEqualTo(transport);

      HttpResponse<String> get = HTTP1.send(HttpRequest.newBuilder(gateway.uri("/items/7")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("GET /items/7");

      byte[] upload = BodyPattern.bytes(3 * 1024 * 1024 + 17);
      HttpResponse<String> post = HTTP1.send(HttpRequest.newBuilder(gateway.uri("/upload"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.body()).isEqualTo("received=" + upload.length);
      assertThat(post.headers().firstValue(BodyPattern.CHECK_HEADER)).hasValue(BodyPattern.INTACT);

      HttpResponse<byte[]> download = HTTP1.send(HttpRequest.newBuilder(gateway.uri("/download?bytes=5000000")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      BodyPattern.assertIntact(download.body(), 5_000_000);

      HttpResponse<String> h2 = H2C.send(HttpRequest.newBuilder(gateway.uri("/h2")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(h2.body()).isEqualTo("GET /h2");
    }
  }

  @Test
  void autoTakesIoUringWhereTheKernelAllowsItThenEpoll() throws Exception {
    try (Gateway gateway = gateway("auto")) {
      assertThat(gateway.server().transportName())
          .isEqualTo(IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio");
    }
  }
}
