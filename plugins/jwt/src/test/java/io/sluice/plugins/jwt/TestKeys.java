package io.sluice.plugins.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** Real keys, generated per test run, and tokens signed with them. */
final class TestKeys {

  static final String ISSUER = "https://idp.test";
  static final String AUDIENCE = "api";
  /** 32 bytes: the least HS256 accepts. */
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  /** Fixed "now" of the tests' clock. */
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  /** An attacker's RSA key that claims the kid of the real one; generated once, RSA keys are slow to make. */
  static final RSAKey ATTACKER_RSA = rsa("rsa-1");

  private TestKeys() {}

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static OctetKeyPair ed25519(String kid) {
    try {
      return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWK set of {@code keys}, as JSON. */
  static String jwks(JWK... keys) {
    return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
  }

  /** A PEM public key. */
  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** Claims valid at {@link #NOW}: issuer, audience, subject, issued a minute ago, expiring in an hour. */
  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("alice")
        .issueTime(Date.from(NOW.minusSeconds(60)))
        .expirationTime(Date.from(NOW.plusSeconds(3600)))
        .claim("scope", "users:read users:write")
        .claim("tenant", "acme");
  }

  static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) {
    return sign(key, algorithm, claims, header -> header);
  }

  static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims, UnaryOperator<JWSHeader.Builder> header) {
    try {
      JWSSigner signer = switch (key) {
        case RSAKey rsa -> new RSASSASigner(rsa);
        case ECKey ec -> new ECDSASigner(ec);
        case OctetKeyPair okp -> new Ed25519Signer(okp);
        default -> throw new IllegalArgumentException(key.getKeyType().toString());
      };
      return sign(signer, header.apply(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT)).build(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hmac(byte[] secret, JWSAlgorithm algorithm, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
