package io.sluice.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Reads an upstream's {@code tls:}: whom to trust and which certificate, if any, to present. */
final class UpstreamTlsReader {

  static final List<String> KEYS = List.of("ca", "cert", "key", "server_name", "insecure_skip_verify");

  private UpstreamTlsReader() {}

  static UpstreamTlsConfig read(YamlNode node, Path baseDir) {
    PemFileReader files = new PemFileReader(baseDir);
    YamlMap tls = node.map(KEYS);
    boolean insecure = tls.optional("insecure_skip_verify").flatMap(YamlNode::bool).orElse(false);
    if (insecure && tls.has("ca")) {
      tls.keyNode("ca").ifPresent(k -> k.problem(
          "'ca' has no effect while insecure_skip_verify is true (expected: one of the two)"));
    }
    Path ca = tls.optional("ca").flatMap(files::caBundle).orElse(null);
    PemFileReader.CertAndKey pair = files.optionalCertificateAndKey(tls);
    String serverName = tls.optional("server_name").flatMap(n -> n.as("a host name", text -> {
      String name = text.toLowerCase(Locale.ROOT);
      if (!HostNames.isHost(name)) {
        throw new IllegalArgumentException(Messages.invalid(text, "a host name such as users.internal, or an IP address"));
      }
      return name;
    })).orElse(null);
    return new UpstreamTlsConfig(ca, pair.cert(), pair.key(), serverName, insecure);
  }
}
