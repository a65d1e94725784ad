package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener's {@code tls:}: files resolved next to the config file and checked when it loads. */
class ConfigTlsTest {

  @TempDir
  static Path dir;
  static TestCertificates certs;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.newCa(dir);
    certs.serverRsa("server", "localhost");
    certs.serverEc("api", "api.example.com");
    certs.serverEc("other", "other.example.com");
    certs.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "unrelated.key");
    certs.openssl("pkey", "-in", "server.key", "-traditional", "-out", "pkcs1.key");
  }

  /** The YAML of one listener with {@code tls} lines (indented by 8) starting on line 6. */
  private static String listener(String tlsLines) {
    return """
        server:
          listeners:
            - name: secure
              port: 8443
              tls:
        """ + tlsLines.indent(8) + "routes: []\n";
  }

  private static GatewayConfig load(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, file(), YamlSnippets.NO_ENV);
  }

  private static String file() {
    return dir.resolve("sluice.yaml").toString();
  }

  private static List<String> problems(String yaml) {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, but this config is valid:\n" + yaml);
  }

  @Test
  void relativeFilesAreResolvedAgainstTheConfigFilesFolderWithSecureDefaults() throws Exception {
    TlsConfig tls = load(listener("""
        cert: server.pem
        key: server.key
        sni:
          - { server_names: [api.example.com, "*.Api.Example.com"], cert: api.pem, key: api.key }
        """)).server().listeners().get(0).tls();

    assertThat(tls.cert()).isEqualTo(dir.resolve("server.pem"));
    assertThat(tls.key()).isEqualTo(dir.resolve("server.key"));
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.ciphers()).isEmpty();
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
    assertThat(tls.clientCa()).isNull();
    assertThat(tls.sni()).containsExactly(new SniCertificate(List.of("api.example.com", "*.api.example.com"),
        dir.resolve("api.pem"), dir.resolve("api.key")));
  }

  @Test
  void everyKeyIsRead() throws Exception {
    TlsConfig tls = load(listener("""
        cert: server.pem
        key: server.key
        protocols: [TLSv1.3]
        ciphers: [TLS_AES_256_GCM_SHA384]
        client_auth: require
        client_ca: ca.pem
        """)).server().listeners().get(0).tls();

    assertThat(tls.protocols()).containsExactly("TLSv1.3");
    assertThat(tls.ciphers()).containsExactly("TLS_AES_256_GCM_SHA384");
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRE);
    assertThat(tls.clientCa()).isEqualTo(dir.resolve("ca.pem"));
  }

  @Test
  void listenersWithoutTlsHaveNone() throws Exception {
    ListenerConfig plain = YamlSnippets.valid(YamlSnippets.HEADER + "  []\n").server().listeners().get(0);

    assertThat(plain.tls()).isNull();
    assertThat(plain.scheme()).isEqualTo("http");
  }

  @Test
  void aMissingFileNamesWhereItWasLookedFor() {
    assertThat(problems(listener("""
        cert: missing.pem
        key: server.key
        """))).containsExactly(
            file() + ":6:15 server.listeners[0].tls.cert: 'missing.pem': no such file (looked for " + dir.resolve("missing.pem") + ")");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertThat(problems(listener("""
        cert: server.pem
        key: unrelated.key
        """))).containsExactly(file()
            + ":7:14 server.listeners[0].tls.key: the key does not belong to the certificate in 'cert' (their public keys differ)");
  }

  @Test
  void aKeyOfAnotherAlgorithmIsRefused() {
    assertThat(problems(listener("""
        cert: server.pem
        key: api.key
        """))).containsExactly(file()
            + ":7:14 server.listeners[0].tls.key: the key does not belong to the certificate in 'cert' (their public keys differ)");
  }

  @Test
  void filesOfTheWrongKindSayWhatWasExpected() {
    assertThat(problems(listener("""
        cert: server.key
        key: pkcs1.key
        """))).containsExactly(
            file() + ":6:15 server.listeners[0].tls.cert: 'server.key' holds no PEM certificate"
                + " (expected: one or more -----BEGIN CERTIFICATE----- blocks)",
            file() + ":7:14 server.listeners[0].tls.key: 'pkcs1.key' holds an RSA (PKCS#1) key"
                + " (expected: PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt -in pkcs1.key -out key.pem)");
  }

  @Test
  void onlyTls13And12AreAllowed() {
    assertThat(problems(listener("""
        cert: server.pem
        key: server.key
        protocols: [TLSv1.3, TLSv1.1]
        """))).containsExactly(
            file() + ":8:30 server.listeners[0].tls.protocols[1]: 'TLSv1.1' (expected: TLSv1.3 or TLSv1.2)");
  }

  @Test
  void clientAuthNeedsTheClientCa() {
    assertThat(problems(listener("""
        cert: server.pem
        key: server.key
        client_auth: require
        """))).containsExactly(file() + ":6:9 server.listeners[0].tls: missing 'client_ca' (expected: the PEM file of the CAs"
            + " that sign client certificates, required when client_auth is optional or require)");
  }

  @Test
  void aClientCaWithoutClientAuthIsAMistake() {
    assertThat(problems(listener("""
        cert: server.pem
        key: server.key
        client_ca: ca.pem
        """))).containsExactly(file() + ":8:9 server.listeners[0].tls: 'client_ca' has no effect while client_auth is none"
            + " (expected: client_auth: optional or require)");
  }

  @Test
  void unknownWordsAndCipherSuitesGetSuggestions() {
    assertThat(problems(listener("""
        cert: server.pem
        key: server.key
        ciphers: [TLS_AES_256_GCM_SHA348]
        client_auth: required
        client_ca: ca.pem
        """))).containsExactly(
            file() + ":8:19 server.listeners[0].tls.ciphers[0]: unknown cipher suite 'TLS_AES_256_GCM_SHA348'"
                + " (did you mean 'TLS_AES_256_GCM_SHA384'?)",
            file() + ":9:22 server.listeners[0].tls.client_auth: unknown client_auth 'required' (did you mean 'require'?)");
  }

  @Test
  void aServerNameMayNameOneCertificateOnly() {
    assertThat(problems(listener("""
        cert: server.pem
        key: server.key
        sni:
          - { server_names: [api.example.com], cert: api.pem, key: api.key }
          - { server_names: ["*.example.com", API.example.com, "bad name"], cert: other.pem, key: other.key }
        """))).containsExactly(
            file() + ":10:47 server.listeners[0].tls.sni[1].server_names[1]: duplicate server name 'api.example.com' (first at line 9)",
            file() + ":10:64 server.listeners[0].tls.sni[1].server_names[2]: 'bad name'"
                + " (expected: a host name such as api.example.com, or *.example.com)");
  }

  @Test
  void certificateAndKeyAreRequired() throws Exception {
    Files.writeString(dir.resolve("empty.pem"), "");
    assertThat(problems(listener("""
        cert: empty.pem
        """))).containsExactly(
            file() + ":6:9 server.listeners[0].tls: missing required key 'key'",
            file() + ":6:15 server.listeners[0].tls.cert: 'empty.pem' holds no PEM certificate"
                + " (expected: one or more -----BEGIN CERTIFICATE----- blocks)");
  }
}
