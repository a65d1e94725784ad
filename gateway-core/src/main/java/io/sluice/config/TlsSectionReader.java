package io.sluice.config;

import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** Reads a listener's {@code tls:}; its files are read by {@link PemFileReader}. */
final class TlsSectionReader {

  static final List<String> KEYS = List.of("cert", "key", "protocols", "ciphers", "client_auth", "client_ca", "sni");
  static final List<String> SNI_KEYS = List.of("server_names", "cert", "key");

  private static final String PROTOCOLS = "TLSv1.3 or TLSv1.2";
  private static final Map<String, TlsConfig.ClientAuth> CLIENT_AUTH = new LinkedHashMap<>();

  static {
    CLIENT_AUTH.put("none", TlsConfig.ClientAuth.NONE);
    CLIENT_AUTH.put("optional", TlsConfig.ClientAuth.OPTIONAL);
    CLIENT_AUTH.put("require", TlsConfig.ClientAuth.REQUIRE);
  }

  private final PemFileReader files;

  private TlsSectionReader(Path baseDir) {
    this.files = new PemFileReader(baseDir);
  }

  static TlsConfig read(YamlNode node, Path baseDir) {
    return new TlsSectionReader(baseDir).tls(node);
  }

  private TlsConfig tls(YamlNode node) {
    YamlMap tls = node.map(KEYS);
    PemFileReader.CertAndKey pair = files.certificateAndKey(tls);
    List<String> protocols = tls.optional("protocols").map(TlsSectionReader::protocols).orElse(TlsConfig.DEFAULT_PROTOCOLS);
    List<String> ciphers = tls.optional("ciphers").map(TlsSectionReader::ciphers).orElse(List.of());
    Optional<YamlNode> clientAuthNode = tls.optional("client_auth");
    Optional<TlsConfig.ClientAuth> clientAuthValue = clientAuthNode.flatMap(n -> n.oneOf("client_auth", CLIENT_AUTH));
    TlsConfig.ClientAuth clientAuth = clientAuthValue.orElse(TlsConfig.ClientAuth.NONE);
    // whether client_ca fits can only be told when client_auth was read (a mistyped one is reported already)
    boolean clientAuthRead = clientAuthNode.isEmpty() || clientAuthValue.isPresent();
    Path clientCa = null;
    if (clientAuthRead && clientAuth == TlsConfig.ClientAuth.NONE) {
      tls.keyNode("client_ca").ifPresent(k -> k.problem(
          "'client_ca' has no effect while client_auth is none (expected: client_auth: optional or require)"));
    } else if (clientAuthRead && tls.has("client_ca")) {
      clientCa = tls.optional("client_ca").flatMap(files::caBundle).orElse(null);
    } else if (clientAuthRead && !tls.isBroken()) {
      node.problem("missing 'client_ca' (expected: the PEM file of the CAs that sign client certificates, "
          + "required when client_auth is optional or require)");
    }
    List<SniCertificate> sni = tls.optional("sni").map(this::sni).orElse(List.of());
    return new TlsConfig(pair.cert(), pair.key(), protocols, ciphers, clientAuth, clientCa, sni);
  }

  private static List<String> protocols(YamlNode node) {
    return new FirstSeen("TLS version").distinctItems(node, "TLS version, such as TLSv1.3", "a TLS version", text -> {
      if (!TlsConfig.DEFAULT_PROTOCOLS.contains(text)) {
        throw new IllegalArgumentException(Messages.invalid(text, PROTOCOLS));
      }
      return text;
    });
  }

  private static List<String> ciphers(YamlNode node) {
    Set<String> known = knownCipherSuites();
    return new FirstSeen("cipher suite").distinctItems(node, "cipher suite, such as TLS_AES_128_GCM_SHA256", "a cipher suite",
        text -> {
          if (!known.isEmpty() && !known.contains(text)) {
            throw new IllegalArgumentException("unknown cipher suite " + Messages.quote(text) + " ("
                + DidYouMean.hint(text, known) + ")");
          }
          return text;
        });
  }

  /** The suites the JDK knows by name (the names both providers accept); empty if it cannot tell. */
  private static Set<String> knownCipherSuites() {
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      return Set.of();
    }
  }

  private List<SniCertificate> sni(YamlNode node) {
    FirstSeen names = new FirstSeen("server name");
    List<SniCertificate> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      YamlMap entry = item.map(SNI_KEYS);
      List<String> serverNames = entry.required("server_names").map(n -> serverNames(n, names)).orElse(List.of());
      PemFileReader.CertAndKey pair = files.certificateAndKey(entry);
      if (pair.cert() != null && pair.key() != null) {
        out.add(new SniCertificate(serverNames, pair.cert(), pair.key()));
      }
    }
    return out;
  }

  private static List<String> serverNames(YamlNode node, FirstSeen seen) {
    String expected = "a host name such as api.example.com, or *.example.com";
    return seen.distinctItems(node, "server name", expected, text -> {
      String name = text.toLowerCase(java.util.Locale.ROOT);
      String host = name.startsWith("*.") ? name.substring(2) : name;
      if (!HostNames.isDnsName(host)) {
        throw new IllegalArgumentException(Messages.invalid(text, expected));
      }
      return name;
    });
  }
}
