package io.sluice.config;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Reads the PEM files a {@code tls:} block names (a listener's or an upstream's), resolved against
 * the config file's folder and opened at load time, so that a missing file, a key of another
 * certificate or a key in the wrong format is reported at the line that names it.
 */
final class PemFileReader {

  /** The files of a {@code cert} / {@code key} pair; {@code null} where a problem was reported or nothing was written. */
  record CertAndKey(Path cert, Path key) {}

  private final Path baseDir;

  PemFileReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** {@code cert} and {@code key} of {@code map}, both required; the key must belong to the certificate. */
  CertAndKey certificateAndKey(YamlMap map) {
    Optional<YamlNode> certNode = map.required("cert");
    Optional<YamlNode> keyNode = map.required("key");
    X509Certificate[] leaf = new X509Certificate[1];
    Optional<Path> cert = certNode.flatMap(n -> n.as("a PEM certificate file", text -> {
      Path file = PemFiles.readableFile(text, baseDir);
      leaf[0] = PemFiles.certificates(file, text).get(0);
      return file;
    }));
    PrivateKey[] privateKey = new PrivateKey[1];
    Optional<Path> key = keyNode.flatMap(n -> n.as("a PEM private key file", text -> {
      Path file = PemFiles.readableFile(text, baseDir);
      privateKey[0] = PemFiles.privateKey(file, text);
      return file;
    }));
    if (leaf[0] != null && privateKey[0] != null && !PemFiles.matches(privateKey[0], leaf[0])) {
      keyNode.get().problem("the key does not belong to the certificate in 'cert' (their public keys differ)");
    }
    return new CertAndKey(cert.orElse(null), key.orElse(null));
  }

  /** Like {@link #certificateAndKey}, but both may be left out together (no client certificate). */
  CertAndKey optionalCertificateAndKey(YamlMap map) {
    return map.has("cert") || map.has("key") ? certificateAndKey(map) : new CertAndKey(null, null);
  }

  /** A PEM file of one or more CA certificates. */
  Optional<Path> caBundle(YamlNode node) {
    return node.as("a PEM file of CA certificates", text -> {
      Path file = PemFiles.readableFile(text, baseDir);
      PemFiles.certificates(file, text);
      return file;
    });
  }
}
