package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upstream's {@code protocol} and {@code tls}, and how they fit its endpoints' schemes. */
class ConfigUpstreamProtocolTest {

  @TempDir
  static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates certs = TestCertificates.newCa(dir);
    certs.client("client", "gateway");
    certs.serverEc("other", "other.example.com");
  }

  /** One upstream whose lines (indented by 4) start on line 4. */
  private static String upstream(String lines) {
    return """
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          users:
        """ + lines.indent(4) + "routes: []\n";
  }

  private static UpstreamConfig load(String lines) throws ConfigException {
    return ConfigLoader.parse(upstream(lines), file(), YamlSnippets.NO_ENV).upstreams().get("users");
  }

  private static String file() {
    return dir.resolve("sluice.yaml").toString();
  }

  private static List<String> problems(String lines) {
    try {
      load(lines);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, but this config is valid:\n" + lines);
  }

  @Test
  void http1OverCleartextIsTheDefault() throws Exception {
    UpstreamConfig users = load("endpoints: [\"http://127.0.0.1:9001\"]");

    assertThat(users.protocol()).isEqualTo(UpstreamConfig.Protocol.HTTP1);
    assertThat(users.tls()).isNull();
  }

  @Test
  void h2cIsCleartextHttp2() throws Exception {
    UpstreamConfig users = load("""
        protocol: h2c
        endpoints: ["http://127.0.0.1:50051"]
        """);

    assertThat(users.protocol()).isEqualTo(UpstreamConfig.Protocol.H2C);
    assertThat(users.tls()).isNull();
  }

  @Test
  void httpsEndpointsUseTlsWithTheSystemTrustByDefaultOnPort443() throws Exception {
    UpstreamConfig users = load("endpoints: [\"https://users.internal\"]");

    assertThat(users.endpoints()).containsExactly(new Endpoint("https", "users.internal", 443));
    assertThat(users.protocol()).isEqualTo(UpstreamConfig.Protocol.HTTP1);
    assertThat(users.tls()).isEqualTo(UpstreamTlsConfig.DEFAULTS);
  }

  @Test
  void everyTlsKeyIsReadWithFilesRelativeToTheConfigFile() throws Exception {
    UpstreamConfig users = load("""
        protocol: h2
        endpoints: ["https://10.0.0.7:8443"]
        tls: { ca: ca.pem, cert: client.pem, key: client.key, server_name: Users.Internal, insecure_skip_verify: false }
        """);

    assertThat(users.protocol()).isEqualTo(UpstreamConfig.Protocol.H2);
    assertThat(users.tls()).isEqualTo(new UpstreamTlsConfig(dir.resolve("ca.pem"), dir.resolve("client.pem"),
        dir.resolve("client.key"), "users.internal", false));
  }

  @Test
  void unknownProtocolsGetADidYouMean() {
    assertThat(problems("""
        protocol: h2s
        endpoints: ["http://127.0.0.1:9001"]
        """)).containsExactly(file() + ":5:15 upstreams.users.protocol: unknown protocol 'h2s' (did you mean 'h2c'?)");
  }

  @Test
  void theSchemeMustFitTheProtocol() {
    assertThat(problems("""
        protocol: h2
        endpoints: ["http://127.0.0.1:9001"]
        """)).containsExactly(file() + ":6:17 upstreams.users.endpoints[0]: 'http://127.0.0.1:9001' is cleartext, but protocol h2"
            + " is HTTP/2 over TLS (expected: an https:// endpoint, or protocol: h2c)");
    assertThat(problems("""
        protocol: h2c
        endpoints: ["https://127.0.0.1:9001"]
        """)).containsExactly(file() + ":6:17 upstreams.users.endpoints[0]: 'https://127.0.0.1:9001' uses TLS, but protocol h2c"
            + " is cleartext HTTP/2 (expected: an http:// endpoint, or protocol: h2)");
    assertThat(problems("""
        endpoints: ["https://a.internal", "http://b.internal"]
        """)).containsExactly(file() + ":5:39 upstreams.users.endpoints[1]: 'http://b.internal:80' mixes http:// and https://"
            + " in one upstream (expected: the scheme of 'https://a.internal:443'; make another upstream for the other)");
  }

  @Test
  void tlsMistakesAreReportedWhereTheyWereWritten() {
    assertThat(problems("""
        protocol: h2
        endpoints: ["https://127.0.0.1:9001"]
        tls:
          ca: missing.pem
          cert: client.pem
          server_name: "bad name"
          insecure_skip_verify: maybe
          sni: []
        """)).containsExactly(
            file() + ":8:7 upstreams.users.tls: missing required key 'key'",
            file() + ":8:11 upstreams.users.tls.ca: 'missing.pem': no such file (looked for " + dir.resolve("missing.pem") + ")",
            file() + ":10:20 upstreams.users.tls.server_name: 'bad name' (expected: a host name such as users.internal, or an IP address)",
            file() + ":11:29 upstreams.users.tls.insecure_skip_verify: 'maybe' (expected: true or false)",
            file() + ":12:7 upstreams.users.tls: unknown key 'sni' (expected one of: ca, cert, key, server_name, insecure_skip_verify)");
  }

  @Test
  void aClientKeyMustBelongToTheClientCertificate() {
    assertThat(problems("""
        endpoints: ["https://127.0.0.1:9001"]
        tls: { cert: client.pem, key: other.key }
        """)).containsExactly(file()
            + ":6:35 upstreams.users.tls.key: the key does not belong to the certificate in 'cert' (their public keys differ)");
  }

  @Test
  void tlsWithCleartextEndpointsIsAMistake() {
    assertThat(problems("""
        endpoints: ["http://127.0.0.1:9001"]
        tls: { insecure_skip_verify: true }
        """)).containsExactly(file() + ":6:5 upstreams.users: 'tls' has no effect: the endpoints are http://"
            + " (expected: https:// endpoints, or no tls)");
  }
}
