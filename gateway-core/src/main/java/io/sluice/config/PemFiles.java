package io.sluice.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Reads PEM certificates and PKCS#8 private keys at load time, so that a wrong file is reported
 * at the line that names it instead of failing the listener at startup. Problems are thrown as
 * {@link IllegalArgumentException} with a whole sentence that names the file as written.
 */
final class PemFiles {

  private static final String PRIVATE_KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PRIVATE_KEY_END = "-----END PRIVATE KEY-----";
  private static final byte[] PROBE = "sluice key check".getBytes(StandardCharsets.US_ASCII);

  private PemFiles() {}

  /** {@code written} resolved against {@code baseDir}, checked to be a readable file. */
  static Path readableFile(String written, Path baseDir) {
    if (written.isBlank()) {
      throw new IllegalArgumentException(Messages.invalid(written, "a file path"));
    }
    Path file;
    try {
      file = baseDir.resolve(written).toAbsolutePath().normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException(Messages.invalid(written, "a file path; " + e.getReason()));
    }
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(Messages.quote(written) + ": no such file (looked for " + file + ")");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(Messages.quote(written) + " is not a file (expected: a PEM file)");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(Messages.quote(written) + " is not readable by this user (" + file + ")");
    }
    return file;
  }

  /** The certificates of a PEM file, in order; at least one. */
  static List<X509Certificate> certificates(Path file, String written) {
    String text = read(file, written);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(Messages.quote(written)
          + " holds no PEM certificate (expected: one or more -----BEGIN CERTIFICATE----- blocks)");
    }
    try {
      Collection<? extends Certificate> parsed = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate certificate : parsed) {
        out.add((X509Certificate) certificate);
      }
      if (out.isEmpty()) {
        throw new CertificateException("no certificate found");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(Messages.quote(written) + " is not a valid X.509 certificate file: " + e.getMessage());
    }
  }

  /** The PKCS#8 private key of a PEM file (RSA or EC). */
  static PrivateKey privateKey(Path file, String written) {
    String text = read(file, written);
    int begin = text.indexOf(PRIVATE_KEY_BEGIN);
    int end = text.indexOf(PRIVATE_KEY_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(Messages.quote(written) + " " + keyFormatProblem(text, written));
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + PRIVATE_KEY_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(Messages.quote(written) + " holds a damaged PEM private key (invalid base64)");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new IllegalArgumentException(Messages.quote(written) + " holds a private key that is neither RSA nor EC");
  }

  private static String keyFormatProblem(String text, String written) {
    if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
      String kind = text.contains("-----BEGIN RSA PRIVATE KEY-----") ? "an RSA (PKCS#1)" : "an EC (SEC 1)";
      return "holds " + kind + " key (expected: PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt -in "
          + written + " -out key.pem)";
    }
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      return "holds an encrypted private key (expected: an unencrypted PKCS#8 key, -----BEGIN PRIVATE KEY-----)";
    }
    return "holds no PEM private key (expected: a PKCS#8 key, -----BEGIN PRIVATE KEY-----)";
  }

  /**
   * Whether {@code key} is the private half of {@code certificate}'s public key: a signature made
   * with it must verify with the certificate (works the same for RSA and EC).
   */
  static boolean matches(PrivateKey key, X509Certificate certificate) {
    PublicKey publicKey = certificate.getPublicKey();
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an EC key on another curve than the certificate's
    }
  }

  private static String read(Path file, String written) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + Messages.quote(written) + ": " + e.getMessage());
    }
  }
}
