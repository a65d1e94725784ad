package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2TestUpstream;
import io.sluice.testing.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS to upstreams: HTTP/2 agreed with ALPN, mutual TLS, and HTTP/1.1 over TLS; untrusted upstreams get a 502. */
class UpstreamTlsTest {

  @TempDir
  static Path dir;
  static H2TestUpstream h2;
  static HttpsServer http1;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    TestCertificates certs = TestCertificates.newCa(Files.createDirectory(dir.resolve("trusted")));
    certs.serverRsa("upstream", "localhost");
    certs.client("gateway", "sluice-gateway");
    TestCertificates otherCa = TestCertificates.newCa(Files.createDirectory(dir.resolve("other")));
    h2 = H2TestUpstream.h2(certs, "upstream", true);
    http1 = http1Server(certs);
    String ca = certs.file("ca.pem").toString();
    // file paths are spliced into the YAML text: ${NAME} stands for a whole scalar only
    String clientCert = "cert: " + certs.file("gateway.pem") + ", key: " + certs.file("gateway.key");
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          mtls: { protocol: h2, endpoints: ["https://127.0.0.1:${H2}"], tls: { ca: $CA, $CLIENT } }
          by-name: { protocol: h2, endpoints: ["https://127.0.0.1:${H2}"], tls: { ca: $CA, $CLIENT, server_name: localhost } }
          wrong-name: { protocol: h2, endpoints: ["https://127.0.0.1:${H2}"], tls: { ca: $CA, $CLIENT, server_name: other.test } }
          wrong-ca: { protocol: h2, endpoints: ["https://127.0.0.1:${H2}"], tls: { ca: $OTHER_CA, $CLIENT } }
          no-client-cert: { protocol: h2, endpoints: ["https://127.0.0.1:${H2}"], tls: { ca: $CA } }
          http1: { endpoints: ["https://127.0.0.1:${H1}"], tls: { ca: $CA } }
          not-h2: { protocol: h2, endpoints: ["https://127.0.0.1:${H1}"], tls: { ca: $CA } }
        routes:
          - { id: by-name, match: { path: /by-name/** }, upstream: by-name }
          - { id: wrong-name, match: { path: /wrong-name/** }, upstream: wrong-name }
          - { id: wrong-ca, match: { path: /wrong-ca/** }, upstream: wrong-ca }
          - { id: no-client-cert, match: { path: /no-client-cert/** }, upstream: no-client-cert }
          - { id: http1, match: { path: /http1/** }, upstream: http1 }
          - { id: not-h2, match: { path: /not-h2/** }, upstream: not-h2 }
          - { id: mtls, match: { path: /** }, upstream: mtls }
        """.replace("$CA", ca).replace("$OTHER_CA", otherCa.file("ca.pem").toString()).replace("$CLIENT", clientCert),
        Map.of("H2", String.valueOf(h2.port()), "H1", String.valueOf(http1.getAddress().getPort())));
  }

  /** A JDK HTTPS server that speaks HTTP/1.1 only (no ALPN) and answers {@code tls METHOD PATH}. */
  private static HttpsServer http1Server(TestCertificates certs) throws Exception {
    certs.openssl("pkcs12", "-export", "-in", "upstream.pem", "-inkey", "upstream.key", "-out", "upstream.p12", "-passout", "pass:test");
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(certs.file("upstream.p12"))) {
      keys.load(in, "test".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "test".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] body = ("tls " + exchange.getRequestMethod() + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }

  @AfterAll
  static void stop() {
    gateway.close();
    h2.close();
    http1.stop(0);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(gateway.uri(path)).build(), BodyHandlers.ofString());
  }

  @Test
  void h2UpstreamWithMutualTlsIsReachedOverHttps() throws Exception {
    var post = HttpRequest.newBuilder(gateway.uri("/secure")).POST(BodyPublishers.ofString("over tls")).build();

    HttpResponse<String> response = client.send(post, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("over tls");
    assertThat(h2.lastRequest().scheme().toString()).isEqualTo("https");
    assertThat(h2.clientSubjects()).contains("CN=sluice-gateway");
  }

  @Test
  void theCertificateIsCheckedAgainstTheConfiguredServerName() throws Exception {
    assertThat(get("/by-name/x").statusCode()).isEqualTo(200);

    HttpResponse<String> wrongName = get("/wrong-name/x");

    assertThat(wrongName.statusCode()).isEqualTo(502);
    assertThat(wrongName.body()).contains("\"code\":\"UPSTREAM_UNAVAILABLE\"");
    assertThat(gateway.accessLog()).contains("TLS handshake with https://127.0.0.1:" + h2.port() + " failed");
  }

  @Test
  void anUpstreamSignedByAnotherCaIs502() throws Exception {
    HttpResponse<String> response = get("/wrong-ca/x");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"code\":\"UPSTREAM_UNAVAILABLE\"").contains("Upstream 'wrong-ca' is unavailable");
  }

  @Test
  void anUpstreamThatRequiresAClientCertificateRefusesAGatewayWithout() throws Exception {
    HttpResponse<String> response = get("/no-client-cert/x");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"code\":\"UPSTREAM_UNAVAILABLE\"");
  }

  @Test
  void http1OverTlsUsesTheSameTrust() throws Exception {
    HttpResponse<String> response = get("/http1/hello");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("tls GET /http1/hello");
  }

  @Test
  void anUpstreamThatDoesNotAgreeToHttp2Is502() throws Exception {
    HttpResponse<String> response = get("/not-h2/x");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(gateway.accessLog()).contains("did not agree to HTTP/2 with ALPN");
  }
}
