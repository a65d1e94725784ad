package io.sluice.plugins.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.sluice.spi.Identity;
import io.sluice.spi.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks one token: parsed by nimbus, the issuer chosen by its (unverified) {@code iss}, the
 * algorithm checked against that issuer's allow-list, the signature checked with that issuer's
 * keys of the matching type only (found by {@code kid}, never through {@code jku}, {@code x5u},
 * {@code jwk} or {@code x5c}), then the time claims, audience and required claims.
 */
final class TokenVerifier {

  /**
   * The most keys one token is checked against, on the event loop. A token that names no key
   * (or names none there is, while more keys have no kid) could otherwise make every request
   * cost a signature check per key of the issuer: past this, it is refused unchecked.
   */
  static final int MAX_KEYS_PER_TOKEN = 4;

  /** What a check comes to: verified, refused, or waiting for an issuer's keys. */
  sealed interface Result permits Verified, Failure, Pending {}

  /** The token is good; {@code validUntil} (epoch millis) bounds how long it may be cached. */
  record Verified(Identity identity, Map<String, String> forwardedHeaders, long validUntil, Failure expiresAs) implements Result {}

  /** The keys are being fetched; check again when {@code keys} completes (it never fails). */
  record Pending(CompletableFuture<Void> keys) implements Result {}

  private final Map<String, IssuerKeys> issuers = new HashMap<>();
  private final JwtConfig config;
  private final Clock clock;
  private final long skewMillis;
  private final AtomicLong signatureChecks = new AtomicLong();

  TokenVerifier(JwtConfig config, Clock clock, Ticker ticker, HttpClient http, System.Logger logger) {
    this.config = config;
    this.clock = clock;
    this.skewMillis = config.clockSkew().toMillis();
    for (JwtConfig.Issuer issuer : config.issuers()) {
      issuers.put(issuer.issuer(), new IssuerKeys(issuer, ticker, http, logger));
    }
  }

  /** Starts the first fetch of every remote JWK set, without waiting for it. */
  void startFetching() {
    issuers.values().forEach(IssuerKeys::startFetching);
  }

  /** Signature checks done so far: a cache hit does none. */
  long signatureChecks() {
    return signatureChecks.get();
  }

  /** The remote key set of {@code issuer}, or {@code null} (for tests). */
  RemoteJwks remote(String issuer) {
    return issuers.get(issuer).remote;
  }

  /**
   * Checks {@code token}.
   *
   * @param mayWait whether a missing key may be answered with {@link Pending} (a fetch); false
   *     on the second look, after the fetch, so that a request waits at most once
   */
  Result verify(String token, boolean mayWait) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      return isUnsigned(token) ? Failure.UNSIGNED : Failure.MALFORMED;
    }
    IssuerKeys issuer = claims.getIssuer() == null ? null : issuers.get(claims.getIssuer());
    if (issuer == null) {
      return Failure.ISSUER_UNKNOWN;
    }
    JWSHeader header = jwt.getHeader();
    JWSAlgorithm algorithm = header.getAlgorithm();
    if (!issuer.algorithms.contains(algorithm)) {
      return Failure.ALGORITHM_NOT_ALLOWED;
    }
    String kid = header.getKeyID();
    List<VerificationKey> candidates = issuer.candidates(algorithm, kid);
    if (candidates.isEmpty()) {
      RemoteJwks remote = issuer.remote;
      if (remote != null && mayWait && (remote.keys() == null || kid != null)) {
        CompletableFuture<Void> fetch = remote.fetchIfAllowed();
        if (fetch != null) {
          return new Pending(fetch);
        }
      }
      if (remote != null && remote.keys() == null && issuer.staticKeys.isEmpty()) {
        return Failure.KEYS_UNAVAILABLE;
      }
      return kid != null ? Failure.UNKNOWN_KID : Failure.NO_KEY;
    }
    if (candidates.size() > MAX_KEYS_PER_TOKEN) {
      return Failure.TOO_MANY_KEYS;
    }
    if (!signatureValid(jwt, candidates)) {
      return Failure.SIGNATURE_INVALID;
    }
    return checkClaims(claims, issuer.config);
  }

  private boolean signatureValid(SignedJWT jwt, List<VerificationKey> candidates) {
    for (VerificationKey key : candidates) {
      signatureChecks.incrementAndGet();
      try {
        if (jwt.verify(key.verifier())) {
          return true;
        }
      } catch (JOSEException | IllegalStateException e) {
        // not this key
      }
    }
    return false;
  }

  private Result checkClaims(JWTClaimsSet claims, JwtConfig.Issuer issuer) {
    long now = clock.millis();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return Failure.EXPIRY_MISSING;
    }
    if (now > exp.getTime() + skewMillis) {
      return Failure.EXPIRED;
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now + skewMillis < nbf.getTime()) {
      return Failure.NOT_YET_VALID;
    }
    Date iat = claims.getIssueTime();
    if (iat != null && now + skewMillis < iat.getTime()) {
      return Failure.ISSUED_IN_FUTURE;
    }
    long validUntil = exp.getTime() + skewMillis;
    Failure expiresAs = Failure.EXPIRED;
    if (config.maxTokenAge() != null) {
      if (iat == null) {
        return Failure.CLAIM_MISSING;
      }
      long oldest = iat.getTime() + config.maxTokenAge().toMillis() + skewMillis;
      if (now > oldest) {
        return Failure.TOO_OLD;
      }
      if (oldest < validUntil) {
        validUntil = oldest;
        expiresAs = Failure.TOO_OLD;
      }
    }
    if (!issuer.anyAudience() && claims.getAudience().stream().noneMatch(issuer.audiences()::contains)) {
      return Failure.AUDIENCE_MISMATCH;
    }
    for (String required : config.requiredClaims()) {
      if (claims.getClaim(required) == null) {
        return Failure.CLAIM_MISSING;
      }
    }
    if (claims.getSubject() == null) {
      return Failure.CLAIM_MISSING;
    }
    Map<String, Object> json = claims.toJSONObject();
    Identity identity = new Identity(claims.getSubject(), null, json, null, "jwt");
    return new Verified(identity, forwardedHeaders(json), validUntil, expiresAs);
  }

  /** The forward_claims headers of a verified token; a value that cannot be a header value is left out. */
  private Map<String, String> forwardedHeaders(Map<String, Object> json) {
    if (config.forwardClaims().isEmpty()) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    config.forwardClaims().forEach((claim, header) -> {
      Object value = json.get(claim);
      String text = value == null ? null : headerValue(value);
      if (text != null && isSafeHeaderValue(text)) {
        headers.put(header, text);
      }
    });
    return Map.copyOf(headers);
  }

  private static String headerValue(Object value) {
    return switch (value) {
      case String s -> s;
      case Number n -> n.toString();
      case Boolean b -> b.toString();
      case Collection<?> list when list.stream().allMatch(i -> i instanceof String || i instanceof Number || i instanceof Boolean) ->
          String.join(",", list.stream().map(String::valueOf).toList());
      case Map<?, ?> map -> JSONObjectUtils.toJSONString(stringKeys(map));
      default -> null;
    };
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(String.valueOf(k), v));
    return copy;
  }

  /** Visible ASCII and spaces only: no control characters that could split or smuggle headers. */
  private static boolean isSafeHeaderValue(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUnsigned(String token) {
    try {
      return JWTParser.parse(token) instanceof PlainJWT;
    } catch (ParseException | RuntimeException e) {
      return false;
    }
  }

  /** One issuer's allowed algorithms and keys: configured ones and those behind its jwks_uri. */
  static final class IssuerKeys {
    final JwtConfig.Issuer config;
    final Set<JWSAlgorithm> algorithms;
    final List<VerificationKey> staticKeys;
    final RemoteJwks remote;

    IssuerKeys(JwtConfig.Issuer config, Ticker ticker, HttpClient http, System.Logger logger) {
      this.config = config;
      this.algorithms = config.allowedAlgorithms();
      this.staticKeys = config.staticKeys();
      this.remote = config.jwksUri() == null ? null
          : new RemoteJwks(URI.create(config.jwksUri()), config.jwksCacheTtl(), config.jwksRefreshMinInterval(), ticker, http, logger);
    }

    void startFetching() {
      if (remote != null) {
        remote.fetchIfAllowed();
      }
    }

    /**
     * The keys of the right type (and {@code alg}, {@code use}) that may verify a token with this
     * algorithm and key id: those whose kid is the token's; failing that, those that have no kid.
     * When the token names no kid, every key of the right type.
     */
    List<VerificationKey> candidates(JWSAlgorithm algorithm, String kid) {
      List<VerificationKey> fetched = remote == null ? null : remote.keys();
      List<VerificationKey> found = new ArrayList<>(1);
      boolean anyKid = kid == null;
      select(staticKeys, algorithm, kid, anyKid, found);
      select(fetched, algorithm, kid, anyKid, found);
      if (found.isEmpty() && !anyKid) {
        select(staticKeys, algorithm, null, false, found);
        select(fetched, algorithm, null, false, found);
      }
      return found;
    }

    /** Adds the keys for {@code algorithm} whose kid is {@code kid} ({@code null}: that have none), or any kid. */
    private static void select(List<VerificationKey> keys, JWSAlgorithm algorithm, String kid, boolean anyKid,
        List<VerificationKey> into) {
      if (keys == null) {
        return;
      }
      for (VerificationKey key : keys) {
        if ((anyKid || Objects.equals(kid, key.kid())) && key.accepts(algorithm)) {
          into.add(key);
        }
      }
    }
  }
}
