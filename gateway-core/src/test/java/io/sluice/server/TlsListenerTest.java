package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestCertificates;
import io.sluice.testing.TestUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS listeners on real sockets: versions, SNI, client certificates, with certificates made by openssl. */
class TlsListenerTest {

  @TempDir
  static Path dir;
  static TestCertificates certs;
  static TestUpstream upstream;
  static Gateway tls;
  static Gateway mtls;

  /** A listener with SNI entries (and the files of the mTLS one when {@code clientAuth} is not none). */
  private static String config(String clientAuth) {
    return """
        server:
          listeners:
            - name: secure
              bind: 127.0.0.1
              port: 0
              tls:
                cert: ${DIR}/server.pem
                key: ${DIR}/server.key
                client_auth: %s
                %s
                sni:
                  - { server_names: [api.example.com], cert: "${DIR}/api.pem", key: "${DIR}/api.key" }
                  - { server_names: ["*.internal.example.com"], cert: "${DIR}/internal.pem", key: "${DIR}/internal.key" }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: all
            match: { path: /** }
            upstream: backend
            plugins:
              - test_client_cert: {}
        """.formatted(clientAuth, clientAuth.equals("none") ? "" : "client_ca: ${DIR}/ca.pem");
  }

  private static Map<String, String> env() {
    return Map.of("DIR", dir.toString(), "UPSTREAM", String.valueOf(upstream.port()));
  }

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.newCa(dir);
    certs.serverRsa("server", "localhost");
    certs.serverEc("api", "api.example.com");
    certs.serverRsa("internal", "internal.example.com", "*.internal.example.com");
    certs.client("client", "billing-service");
    upstream = new TestUpstream();
    tls = Gateway.start(config("none"), env());
    mtls = Gateway.start(config("require"), env());
  }

  @AfterAll
  static void stop() {
    tls.close();
    mtls.close();
    upstream.close();
  }

  private static HttpResponse<String> get(Gateway gateway, SSLContext context, String... protocols) throws Exception {
    SSLParameters parameters = new SSLParameters();
    if (protocols.length > 0) {
      parameters.setProtocols(protocols);
    }
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(context).sslParameters(parameters).build()) {
      return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + "/hello")).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static double handshakeFailures(Gateway gateway) {
    return gateway.server().meters().counter("sluice.tls.handshake.failures", "listener", "secure").count();
  }

  @Test
  void httpsRequestIsForwardedToAPlainUpstreamAsHttps() throws Exception {
    HttpResponse<String> response = get(tls, certs.clientContext(null));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /hello");
    assertThat(upstream.lastRequest().headers().get("x-forwarded-proto")).isEqualTo("https");
    assertThat(upstream.lastRequest().headers().get("forwarded")).endsWith(";proto=https");
    assertThat(upstream.lastRequest().headers().get("x-client-subject")).isEqualTo("none");
    assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0])
        .isEqualTo(certs.certificate("server.pem"));
  }

  @Test
  void tls13And12BothNegotiate() throws Exception {
    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      HttpResponse<String> response = get(tls, certs.clientContext(null), protocol);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.sslSession().orElseThrow().getProtocol()).isEqualTo(protocol);
    }
  }

  @Test
  void tls11IsRefusedByTheServer() throws Exception {
    double failuresBefore = handshakeFailures(tls);
    String connect = "127.0.0.1:" + tls.port();

    TestCertificates.OpensslRun tls11 = certs.runOpenssl("", "s_client", "-connect", connect, "-tls1_1",
        "-cipher", "DEFAULT@SECLEVEL=0");
    TestCertificates.OpensslRun tls12 = certs.runOpenssl("", "s_client", "-connect", connect, "-tls1_2");

    // the refusal comes from the gateway (an alert), not from the client lacking TLS 1.1
    assertThat(tls11.exitCode()).isNotZero();
    assertThat(tls11.output()).contains("alert protocol version");
    assertThat(tls12.output()).contains("Protocol  : TLSv1.2");
    assertThat(handshakeFailures(tls)).isGreaterThan(failuresBefore);
  }

  @Test
  void sniPicksTheCertificateForTheNameAndTheDefaultOtherwise() throws Exception {
    assertThat(serverCertificateFor(tls, "api.example.com").getSubjectX500Principal().getName()).isEqualTo("CN=api.example.com");
    assertThat(serverCertificateFor(tls, "billing.internal.example.com").getSubjectX500Principal().getName())
        .isEqualTo("CN=internal.example.com");
    assertThat(serverCertificateFor(tls, "unknown.example.org").getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(serverCertificateFor(tls, null).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
  }

  /** The certificate the gateway presents when the client asks for {@code serverName} (none when null). */
  private static X509Certificate serverCertificateFor(Gateway gateway, String serverName) throws Exception {
    try (SSLSocket socket = (SSLSocket) certs.clientContext(null).getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void mutualTlsRefusesAClientWithoutCertificate() throws Exception {
    double failuresBefore = handshakeFailures(mtls);
    int requestsBefore = upstream.requests().size();

    assertThatThrownBy(() -> get(mtls, certs.clientContext(null))).isInstanceOf(IOException.class);

    assertThat(upstream.requests()).hasSize(requestsBefore);
    assertThat(handshakeFailures(mtls)).isGreaterThan(failuresBefore);
  }

  @Test
  void mutualTlsHandsTheClientCertificateToPlugins() throws Exception {
    HttpResponse<String> response = get(mtls, certs.clientContext("client"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-client-subject")).isEqualTo("CN=billing-service");
  }

  @Test
  void mutualTlsHandsTheClientCertificateToPluginsOnHttp2StreamsToo() throws Exception {
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .sslContext(certs.clientContext("client")).build()) {
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("https://localhost:" + mtls.port() + "/h2")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(upstream.lastRequest().headers().get("x-client-subject")).isEqualTo("CN=billing-service");
    }
  }

  @Test
  void openSslIsPreferredWhenItLoads() {
    assertThat(OpenSsl.isAvailable()).as("netty-tcnative is on the class path for linux-x86_64").isTrue();
    assertThat(TlsContexts.provider()).isEqualTo(SslProvider.OPENSSL);
  }

  @Test
  void theJdkProviderServesTheSameWay() throws Exception {
    System.setProperty("sluice.tls.provider", "jdk");
    Gateway jdk;
    try {
      assertThat(TlsContexts.provider()).isEqualTo(SslProvider.JDK);
      jdk = Gateway.start(config("optional"), env());
    } finally {
      System.clearProperty("sluice.tls.provider");
    }
    try (jdk) {
      assertThat(get(jdk, certs.clientContext("client"), "TLSv1.2").statusCode()).isEqualTo(200);
      assertThat(upstream.lastRequest().headers().get("x-client-subject")).isEqualTo("CN=billing-service");
      assertThat(get(jdk, certs.clientContext(null), "TLSv1.3").statusCode()).isEqualTo(200);
      assertThat(upstream.lastRequest().headers().get("x-client-subject")).isEqualTo("none");
      assertThat(serverCertificateFor(jdk, "api.example.com").getSubjectX500Principal().getName()).isEqualTo("CN=api.example.com");
      assertThat(serverCertificateFor(jdk, "unknown.example.org").getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    }
  }
}
