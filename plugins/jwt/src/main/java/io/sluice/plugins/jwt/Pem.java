package io.sluice.plugins.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * PEM public keys ({@code BEGIN PUBLIC KEY}) and certificates ({@code BEGIN CERTIFICATE}) as
 * JWKs, with the JDK's own parsers (nimbus's PEM reader needs BouncyCastle).
 */
final class Pem {

  private static final String EXPECTED =
      "expected: a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate (-----BEGIN CERTIFICATE-----) of an RSA, EC or Ed25519 key";

  private Pem() {}

  /**
   * The public key in {@code pem} as a JWK.
   *
   * @param key the config key, for messages
   * @throws IllegalArgumentException when it is not a PEM public key or certificate of a supported type
   */
  static JWK parse(String pem, String key) {
    if (pem == null) {
      throw new IllegalArgumentException(key + ": missing (" + EXPECTED + ")");
    }
    String text = pem.strip();
    try {
      if (text.startsWith("-----BEGIN CERTIFICATE-----")) {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return toJwk(factory.generateCertificate(new ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
            .getPublicKey(), key);
      }
      if (text.startsWith("-----BEGIN PUBLIC KEY-----") && text.endsWith("-----END PUBLIC KEY-----")) {
        String body = text.substring("-----BEGIN PUBLIC KEY-----".length(), text.length() - "-----END PUBLIC KEY-----".length());
        byte[] der = Base64.getMimeDecoder().decode(body);
        return toJwk(decode(der), key);
      }
    } catch (CertificateException | IllegalArgumentException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(key + ":")) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException(key + ": not readable (" + EXPECTED + ")");
    }
    throw new IllegalArgumentException(key + ": not a PEM public key (" + EXPECTED + ")");
  }

  private static PublicKey decode(byte[] der) {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (java.security.GeneralSecurityException e) {
        // try the next key type
      }
    }
    throw new IllegalArgumentException("not a public key");
  }

  private static JWK toJwk(PublicKey publicKey, String key) {
    if (publicKey instanceof RSAPublicKey rsa) {
      return new RSAKey.Builder(rsa).build();
    }
    if (publicKey instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw new IllegalArgumentException(key + ": an EC key on an unsupported curve (expected: P-256, P-384 or P-521)");
      }
      return new ECKey.Builder(curve, ec).build();
    }
    if (publicKey instanceof java.security.interfaces.EdECPublicKey ed && ed.getParams().getName().equals("Ed25519")
        && publicKey.getEncoded().length == 44) {
      // X.509 SubjectPublicKeyInfo of Ed25519: a 12-byte prefix, then the 32-byte public key
      byte[] encoded = publicKey.getEncoded();
      byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
      return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).build();
    }
    throw new IllegalArgumentException(key + ": a " + publicKey.getAlgorithm() + " key (" + EXPECTED + ")");
  }
}
