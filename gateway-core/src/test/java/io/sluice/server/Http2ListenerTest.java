package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.sluice.testing.Poll;
import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.TestCertificates;
import io.sluice.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 clients on real sockets: prior-knowledge h2c, the h2c upgrade, TLS with ALPN, per-stream proxying. */
@ExtendWith(NoLeaksExtension.class)
class Http2ListenerTest {

  @TempDir
  static Path dir;
  static TestCertificates certs;
  static TestUpstream upstream;
  static Gateway clear;
  static Gateway secure;

  private static final String ROUTES = """
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - id: all
          match: { path: /** }
          upstream: backend
      """;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.newCa(dir);
    certs.serverRsa("server", "localhost");
    certs.serverEc("api", "api.example.com");
    upstream = new TestUpstream();
    Map<String, String> env = Map.of("DIR", dir.toString(), "UPSTREAM", String.valueOf(upstream.port()));
    clear = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0 }
          http2: { initial_window_size: 65535 }
        """ + ROUTES, env);
    secure = Gateway.start("""
        server:
          listeners:
            - name: secure
              bind: 127.0.0.1
              port: 0
              tls:
                cert: ${DIR}/server.pem
                key: ${DIR}/server.key
                sni:
                  - { server_names: [api.example.com], cert: "${DIR}/api.pem", key: "${DIR}/api.key" }
        """ + ROUTES, env);
  }

  @AfterAll
  static void stop() {
    clear.close();
    secure.close();
    upstream.close();
  }

  @Test
  void priorKnowledgeH2cIsProxiedToAnHttp1Upstream() throws Exception {
    try (H2Client client = H2Client.h2c(clear.port())) {
      H2Client.Response response = client.request("POST", "/upload?x=1", Map.of("content-type", "text/plain"),
          BodyPattern.bytes(300_000));

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("received=300000");
      assertThat(response.headers().get(BodyPattern.CHECK_HEADER)).hasToString(BodyPattern.INTACT);
      assertThat(response.headers().get("x-request-id")).isNotNull();
      assertThat(response.headers().contains("connection")).isFalse();
      assertThat(response.headers().contains("transfer-encoding")).isFalse();
    }
    io.netty.handler.codec.http.HttpRequest seen = upstream.lastRequest();
    assertThat(seen.headers().get("host")).isEqualTo("localhost");
    assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("x-http2"));
  }

  @Test
  void h2cUpgradeFromHttp1ServesTheFirstRequestOverHttp2() throws Exception {
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
      HttpResponse<String> first = client.send(HttpRequest.newBuilder(clear.uri("/upgraded")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> second = client.send(HttpRequest.newBuilder(clear.uri("/again")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(first.body()).isEqualTo("GET /upgraded");
      assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(second.body()).isEqualTo("GET /again");
    }
  }

  @Test
  void http1ClientsStillWorkOnAnH2cListener() throws Exception {
    HttpResponse<String> response = clear.send("GET", "/plain");

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(response.body()).isEqualTo("GET /plain");
  }

  @Test
  void tlsListenerNegotiatesH2WithAlpnAndStillServesHttp1() throws Exception {
    try (H2Client client = H2Client.tls(secure.port(), clientContext(ApplicationProtocolNames.HTTP_2))) {
      H2Client.Response response = client.get("/over-tls");

      assertThat(client.negotiatedProtocol()).isEqualTo("h2");
      assertThat(response.bodyText()).isEqualTo("GET /over-tls");
    }
    assertThat(upstream.lastRequest().headers().get("x-forwarded-proto")).isEqualTo("https");
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(certs.clientContext(null)).build()) {
      HttpResponse<String> viaJdk = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + secure.port() + "/jdk")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(viaJdk.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(viaJdk.body()).isEqualTo("GET /jdk");
    }
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(certs.clientContext(null)).build()) {
      HttpResponse<String> http1 = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + secure.port() + "/h1")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(http1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(http1.body()).isEqualTo("GET /h1");
    }
  }

  @Test
  void sniPicksTheCertificateForHttp2ClientsToo() throws Exception {
    SslContext context = SslContextBuilder.forClient()
        .trustManager(certs.file("ca.pem").toFile())
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(alpn(ApplicationProtocolNames.HTTP_2))
        .build();
    try (H2Client client = H2Client.tls(secure.port(), context, "api.example.com")) {
      assertThat(client.peerCertificateSubject()).contains("api.example.com");
      assertThat(client.get("/sni").bodyText()).isEqualTo("GET /sni");
    }
  }

  @Test
  void manyConcurrentStreamsShareOneConnectionAndAStalledOneBlocksNoOther() throws Exception {
    try (H2Client client = H2Client.h2c(clear.port(), 65_535)) {
      // This stream's response (8 MiB) is not read: its window fills and the gateway must stop there.
      H2Client.Stream stalled = client.open("GET", "/download?bytes=" + 8 * 1024 * 1024, Map.of(), true);
      stalled.setReading(false);
      stalled.head().get(5, TimeUnit.SECONDS);

      List<CompletableFuture<H2Client.Response>> others = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        others.add(client.open("GET", "/download?bytes=100000&i=" + i, Map.of(), true).response());
      }
      for (CompletableFuture<H2Client.Response> other : others) {
        H2Client.Response response = other.get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        BodyPattern.assertIntact(response.body(), 100_000);
      }
      assertThat(stalled.received()).isLessThan(8 * 1024 * 1024);
      assertThat(stalled.response()).isNotDone();

      stalled.setReading(true);
      BodyPattern.assertIntact(stalled.response().get(20, TimeUnit.SECONDS).body(), 8 * 1024 * 1024);
    }
  }

  @Test
  void trailersFromTheUpstreamReachTheHttp2Client() throws Exception {
    try (H2Client client = H2Client.h2c(clear.port())) {
      H2Client.Response response = client.get("/trailers");

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.trailers().get("x-checksum")).hasToString("abc");
    }
  }

  @Test
  void gatewayErrorsOnAStreamUseOurJsonShape() throws Exception {
    try (H2Client client = H2Client.h2c(clear.port())) {
      // answered from the head alone; the body is not waited for (the stream is reset after the answer)
      H2Client.Stream upload = client.open("POST", "/upload", Map.of("content-length", "20000000"), false);
      H2Client.Response tooLarge = upload.response().get(10, TimeUnit.SECONDS);

      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.bodyText()).contains("\"code\":\"PAYLOAD_TOO_LARGE\"");
      // the connection goes on serving other streams
      assertThat(client.get("/after").bodyText()).isEqualTo("GET /after");
    }
  }

  @Test
  void clientResetCancelsTheUpstreamRequest() throws Exception {
    int aborted = upstream.abortedUploads();
    try (H2Client client = H2Client.h2c(clear.port())) {
      H2Client.Stream upload = client.open("POST", "/upload", Map.of(), false);
      upload.send(new byte[10_000], false);
      Poll.until("the upload reached the upstream", () -> upstream.uploadedBytes() > 0);
      upload.cancel();
      Poll.until("the upstream request aborted", () -> upstream.abortedUploads() > aborted);
      assertThat(client.get("/still-alive").bodyText()).isEqualTo("GET /still-alive");
    }
  }

  @Test
  void drainLetsStreamsInFlightFinishAndSendsGoAway() throws Exception {
    Gateway draining = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0 }
        """ + ROUTES, Map.of("UPSTREAM", String.valueOf(upstream.port())));
    try (H2Client client = H2Client.h2c(draining.port())) {
      H2Client.Stream slow = client.open("GET", "/slow?ms=700", Map.of(), true);
      Poll.until("the slow exchange in flight", () -> draining.server().activeExchanges() == 1);

      Thread drain = new Thread(() -> draining.server().drainAndStop(java.time.Duration.ofSeconds(5)));
      drain.start();

      assertThat(slow.response().get(5, TimeUnit.SECONDS).bodyText()).isEqualTo("slow");
      Poll.until("GOAWAY received", () -> client.goAway() != null);
      drain.join(10_000);
      assertThat(client.goAway().errorCode()).isZero();
      Poll.until("the connection closed", () -> !client.isOpen());
    } finally {
      draining.close();
    }
  }

  private static SslContext clientContext(String... protocols) throws Exception {
    return SslContextBuilder.forClient()
        .trustManager(certs.file("ca.pem").toFile())
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(alpn(protocols))
        .build();
  }

  private static ApplicationProtocolConfig alpn(String... protocols) {
    return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
  }
}
