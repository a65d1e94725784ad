package io.sluice.plugins.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * A key that may verify signatures, with its nimbus verifier built once. {@link #accepts} ties
 * each algorithm to its key type, so that an HMAC token is never checked against an RSA public
 * key (the HS/RS confusion) and an ES256 token only against a P-256 key.
 *
 * @param kid the key id, or {@code null}
 */
record VerificationKey(String kid, JWK jwk, JWSVerifier verifier) {

  /** RSA keys shorter than this are not used: they are breakable. */
  static final int MIN_RSA_BITS = 2048;

  /**
   * A verification key for {@code jwk}, or {@code null} when it cannot verify signatures here:
   * an encryption key (by {@code use} or {@code key_ops}), an unsupported type or curve, an RSA
   * key under 2048 bits, a short secret.
   */
  static VerificationKey of(JWK jwk) {
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      return null;
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      return null;
    }
    try {
      JWSVerifier verifier = switch (jwk) {
        case RSAKey rsa when rsa.size() >= MIN_RSA_BITS -> new RSASSAVerifier(rsa.toPublicJWK());
        case ECKey ec when curveFor(ec.getCurve()) -> new ECDSAVerifier(ec.toPublicJWK());
        case OctetKeyPair okp when Curve.Ed25519.equals(okp.getCurve()) -> new Ed25519Verifier(okp.toPublicJWK());
        case OctetSequenceKey secret -> new MACVerifier(secret);
        default -> null;
      };
      return verifier == null ? null : new VerificationKey(jwk.getKeyID(), jwk, verifier);
    } catch (JOSEException e) {
      return null; // e.g. a secret under 256 bits
    }
  }

  private static boolean curveFor(Curve curve) {
    return Curve.P_256.equals(curve) || Curve.P_384.equals(curve) || Curve.P_521.equals(curve);
  }

  /** Whether this key may verify a token signed with {@code algorithm}. */
  boolean accepts(JWSAlgorithm algorithm) {
    if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(algorithm.getName())
        && !(isEdDsa(jwk.getAlgorithm().getName()) && isEdDsa(algorithm.getName()))) {
      return false;
    }
    return switch (jwk) {
      case RSAKey rsa -> JWSAlgorithm.Family.RSA.contains(algorithm);
      case ECKey ec -> (JWSAlgorithm.ES256.equals(algorithm) && Curve.P_256.equals(ec.getCurve()))
          || (JWSAlgorithm.ES384.equals(algorithm) && Curve.P_384.equals(ec.getCurve()))
          || (JWSAlgorithm.ES512.equals(algorithm) && Curve.P_521.equals(ec.getCurve()));
      case OctetKeyPair okp -> isEdDsa(algorithm.getName());
      case OctetSequenceKey secret -> JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)
          && secret.size() >= Integer.parseInt(algorithm.getName().substring(2));
      default -> false;
    };
  }

  private static boolean isEdDsa(String algorithm) {
    return algorithm.equals("EdDSA") || algorithm.equals("Ed25519");
  }
}
