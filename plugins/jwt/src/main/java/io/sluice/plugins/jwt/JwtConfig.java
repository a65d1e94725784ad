package io.sluice.plugins.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code jwt} plugin's YAML: which issuers are trusted (with their keys and algorithms),
 * where the token is read from, and what is checked and forwarded. See {@code docs/plugins/jwt.md}.
 *
 * {@snippet lang=yaml :
 * - jwt:
 *     issuers:
 *       - issuer: https://idp.example.com
 *         jwks_uri: https://idp.example.com/.well-known/jwks.json
 *         algorithms: [RS256]
 *         audiences: [api]
 *     forward_claims: { sub: x-user-id }
 * }
 *
 * @param issuers the trusted issuers; a token is checked against the one its {@code iss} names
 * @param tokenFrom where the token is read from; {@code header} by default
 * @param headerName the header for {@code token_from: header}; {@code Authorization} (with {@code Bearer}) by default
 * @param queryParam the query parameter for {@code token_from: query}; {@code access_token} by default
 * @param cookieName the cookie for {@code token_from: cookie}; {@code access_token} by default
 * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat}; 30s by default
 * @param requiredClaims claims every token must carry
 * @param maxTokenAge when set, tokens whose {@code iat} is older are refused (and {@code iat} is required)
 * @param maxTokenBytes longer tokens are refused unparsed; 8192 by default
 * @param forwardClaims claim name to request header name; incoming headers of these names are always removed
 * @param stripAuthorization whether the token's header is removed before the request goes upstream
 * @param cacheSize how many verified tokens are remembered; 10000 by default, 0 turns the cache off
 */
public record JwtConfig(
    List<Issuer> issuers,
    TokenSource tokenFrom,
    String headerName,
    String queryParam,
    String cookieName,
    Duration clockSkew,
    List<String> requiredClaims,
    Duration maxTokenAge,
    Integer maxTokenBytes,
    Map<String, String> forwardClaims,
    boolean stripAuthorization,
    Integer cacheSize) {

  static final String DEFAULT_HEADER = "Authorization";
  static final String DEFAULT_PARAMETER = "access_token";

  public JwtConfig {
    if (issuers == null || issuers.isEmpty()) {
      throw new IllegalArgumentException("issuers: missing (expected: at least one issuer with its keys and algorithms)");
    }
    Set<String> seen = new HashSet<>();
    for (Issuer issuer : issuers) {
      if (!seen.add(issuer.issuer())) {
        throw new IllegalArgumentException("issuers: '" + issuer.issuer() + "' is listed twice (expected: each issuer once)");
      }
    }
    issuers = List.copyOf(issuers);
    if (tokenFrom == null) {
      tokenFrom = TokenSource.HEADER;
    }
    // a default is allowed anywhere, so that a config record can be made again from its own values
    onlyWith(headerName, DEFAULT_HEADER, "header_name", tokenFrom, TokenSource.HEADER);
    onlyWith(queryParam, DEFAULT_PARAMETER, "query_param", tokenFrom, TokenSource.QUERY);
    onlyWith(cookieName, DEFAULT_PARAMETER, "cookie_name", tokenFrom, TokenSource.COOKIE);
    headerName = headerName == null ? DEFAULT_HEADER : headerName;
    if (!isToken(headerName)) {
      throw new IllegalArgumentException("header_name: '" + headerName + "' (expected: a header name)");
    }
    queryParam = nonBlank(queryParam == null ? DEFAULT_PARAMETER : queryParam, "query_param", "a query parameter name");
    cookieName = cookieName == null ? DEFAULT_PARAMETER : cookieName;
    if (!isToken(cookieName)) {
      throw new IllegalArgumentException("cookie_name: '" + cookieName + "' (expected: a cookie name)");
    }
    clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("clock_skew: " + clockSkew + " (expected: 0 or more)");
    }
    requiredClaims = List.copyOf(requiredClaims == null ? List.of() : requiredClaims);
    for (String claim : requiredClaims) {
      nonBlank(claim, "required_claims", "claim names");
    }
    if (maxTokenAge != null && (maxTokenAge.isZero() || maxTokenAge.isNegative())) {
      throw new IllegalArgumentException("max_token_age: " + maxTokenAge + " (expected: a duration greater than 0)");
    }
    maxTokenBytes = maxTokenBytes == null ? 8192 : maxTokenBytes;
    if (maxTokenBytes < 64) {
      throw new IllegalArgumentException("max_token_bytes: " + maxTokenBytes + " (expected: 64 or more)");
    }
    forwardClaims = forwardClaims == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(forwardClaims));
    for (Map.Entry<String, String> forward : forwardClaims.entrySet()) {
      nonBlank(forward.getKey(), "forward_claims", "claim names");
      if (forward.getValue() == null || !isToken(forward.getValue())) {
        throw new IllegalArgumentException("forward_claims." + forward.getKey() + ": '" + forward.getValue() + "' (expected: a header name)");
      }
    }
    if (stripAuthorization && tokenFrom != TokenSource.HEADER) {
      throw new IllegalArgumentException("strip_authorization: true (expected: only with token_from: header)");
    }
    cacheSize = cacheSize == null ? 10_000 : cacheSize;
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cache_size: " + cacheSize + " (expected: 0 or more; 0 turns the cache off)");
    }
  }

  /** Where the token is read from. */
  public enum TokenSource {
    /** {@code Authorization: Bearer <token>}, or the bare value of {@code header_name}. */
    HEADER,
    /** The query parameter {@code query_param}. */
    QUERY,
    /** The cookie {@code cookie_name}. */
    COOKIE
  }

  /**
   * One trusted issuer: the {@code iss} it signs with, its keys, and the algorithms it may use.
   *
   * @param issuer the exact {@code iss} value
   * @param audiences required: a token's {@code aud} must contain one of them; {@code ["*"]} accepts any
   *     audience (and none), which must be written out because it is rarely what is meant
   * @param jwksUri an https URL of the issuer's JWK set, fetched in the background and cached; http only for
   *     a loopback address or with {@code allowInsecureJwks}
   * @param jwks an inline JWK set (JSON)
   * @param publicKeys PEM public keys or certificates
   * @param secrets HMAC secrets (UTF-8), at least as long as the hash (32 bytes for HS256)
   * @param algorithms the allowed {@code alg} values, e.g. {@code [RS256, ES256]}; {@code none} is refused
   * @param jwksCacheTtl how long a fetched JWK set is used before it is fetched again; 10m by default
   * @param jwksRefreshMinInterval the least time between two fetches (an unknown {@code kid} triggers one); 30s by default
   * @param allowInsecureJwks whether {@code jwksUri} may be plain http on another host than this one
   */
  public record Issuer(
      String issuer,
      List<String> audiences,
      String jwksUri,
      String jwks,
      List<String> publicKeys,
      List<String> secrets,
      List<String> algorithms,
      Duration jwksCacheTtl,
      Duration jwksRefreshMinInterval,
      boolean allowInsecureJwks) {

    /** The algorithms with a verifier here; ES256K is left out (its curve is gone from the JDK). */
    static final Set<JWSAlgorithm> SUPPORTED = Set.of(
        JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
        JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
        JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
        JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    /** The only item of {@code audiences} that accepts tokens for any audience. */
    static final String ANY_AUDIENCE = "*";

    private static final String SUPPORTED_NAMES =
        "HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519";

    public Issuer {
      issuer = nonBlank(issuer, "issuer", "the exact iss value of the tokens, e.g. https://idp.example.com");
      audiences = List.copyOf(audiences == null ? List.of() : audiences);
      publicKeys = List.copyOf(publicKeys == null ? List.of() : publicKeys);
      secrets = List.copyOf(secrets == null ? List.of() : secrets);
      if (jwksUri != null) {
        checkUri(jwksUri, allowInsecureJwks);
      } else if (allowInsecureJwks) {
        throw new IllegalArgumentException("allow_insecure_jwks: true, but there is no jwks_uri (expected: allow_insecure_jwks only with an http jwks_uri)");
      }
      if (jwks != null) {
        try {
          JWKSet.parse(jwks);
        } catch (java.text.ParseException e) {
          throw new IllegalArgumentException("jwks: not a JWK set (" + e.getMessage() + ") (expected: JSON such as {\"keys\": [...]})");
        }
      }
      for (int i = 0; i < publicKeys.size(); i++) {
        Pem.parse(publicKeys.get(i), "public_keys[" + i + "]");
      }
      if (jwksUri == null && jwks == null && publicKeys.isEmpty() && secrets.isEmpty()) {
        throw new IllegalArgumentException("issuer '" + issuer + "': no keys (expected: jwks_uri, jwks, public_keys or secrets)");
      }
      if (algorithms == null || algorithms.isEmpty()) {
        throw new IllegalArgumentException("algorithms: missing (expected: the allowed algorithms, e.g. [RS256])");
      }
      int hmacBytes = 0;
      boolean asymmetric = false;
      for (String name : algorithms) {
        JWSAlgorithm algorithm = algorithm(name);
        if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
          hmacBytes = Math.max(hmacBytes, Integer.parseInt(algorithm.getName().substring(2)) / 8);
        } else {
          asymmetric = true;
        }
      }
      algorithms = List.copyOf(algorithms);
      if (hmacBytes > 0 && secrets.isEmpty() && jwks == null) {
        throw new IllegalArgumentException("algorithms: " + algorithms + " has HMAC algorithms but there are no secrets (expected: secrets, or no HS* algorithm)");
      }
      if (!secrets.isEmpty() && hmacBytes == 0) {
        throw new IllegalArgumentException("secrets: set, but algorithms " + algorithms + " has no HMAC algorithm (expected: HS256, HS384 or HS512 with secrets)");
      }
      if (asymmetric && jwksUri == null && jwks == null && publicKeys.isEmpty()) {
        throw new IllegalArgumentException("algorithms: " + algorithms + " needs public keys (expected: jwks_uri, jwks or public_keys)");
      }
      for (int i = 0; i < secrets.size(); i++) {
        int length = secrets.get(i) == null ? 0 : secrets.get(i).getBytes(StandardCharsets.UTF_8).length;
        if (length < hmacBytes) {
          // the secret itself is never echoed
          throw new IllegalArgumentException("secrets[" + i + "]: " + length + " bytes (expected: at least " + hmacBytes
              + " bytes for HS" + hmacBytes * 8 + ")");
        }
      }
      checkKeysWithoutKid(issuer, staticKeys(jwks, publicKeys, secrets), algorithms);
      jwksCacheTtl = jwksCacheTtl == null ? Duration.ofMinutes(10) : jwksCacheTtl;
      if (jwksCacheTtl.isZero() || jwksCacheTtl.isNegative()) {
        throw new IllegalArgumentException("jwks_cache_ttl: " + jwksCacheTtl + " (expected: a duration greater than 0)");
      }
      jwksRefreshMinInterval = jwksRefreshMinInterval == null ? Duration.ofSeconds(30) : jwksRefreshMinInterval;
      if (jwksRefreshMinInterval.isNegative()) {
        throw new IllegalArgumentException("jwks_refresh_min_interval: " + jwksRefreshMinInterval + " (expected: 0 or more)");
      }
      // a token for another service of the same issuer must not pass here (RFC 8725 section 3.9)
      if (audiences.isEmpty()) {
        throw new IllegalArgumentException("audiences: missing (expected: the aud values a token of issuer '" + issuer
            + "' must carry to be accepted here, such as audiences: [api], or audiences: [\"" + ANY_AUDIENCE
            + "\"] to accept any audience)");
      }
      for (String audience : audiences) {
        nonBlank(audience, "audiences", "audience names, or [\"" + ANY_AUDIENCE + "\"] for any");
      }
      if (audiences.size() > 1 && audiences.contains(ANY_AUDIENCE)) {
        throw new IllegalArgumentException("audiences: " + audiences + " mixes '" + ANY_AUDIENCE + "' with audiences"
            + " (expected: either the audiences, or [\"" + ANY_AUDIENCE + "\"] alone to accept any audience)");
      }
    }

    /** Whether {@code audiences} is {@code ["*"]}: the token's {@code aud} is not checked. */
    boolean anyAudience() {
      return audiences.get(0).equals(ANY_AUDIENCE);
    }

    /** The keys written in the config (inline {@code jwks}, {@code public_keys}, {@code secrets}) that can verify signatures. */
    List<VerificationKey> staticKeys() {
      return staticKeys(jwks, publicKeys, secrets);
    }

    private static List<VerificationKey> staticKeys(String jwks, List<String> publicKeys, List<String> secrets) {
      List<JWK> all = new ArrayList<>();
      if (jwks != null) {
        try {
          for (JWK jwk : JWKSet.parse(jwks).getKeys()) {
            all.add(jwk instanceof OctetSequenceKey ? jwk : jwk.toPublicJWK()); // private parts are never used
          }
        } catch (java.text.ParseException e) {
          throw new IllegalArgumentException("jwks: not a JWK set (" + e.getMessage() + ") (expected: JSON such as {\"keys\": [...]})");
        }
      }
      for (int i = 0; i < publicKeys.size(); i++) {
        all.add(Pem.parse(publicKeys.get(i), "public_keys[" + i + "]"));
      }
      for (String secret : secrets) {
        all.add(new OctetSequenceKey.Builder(secret.getBytes(StandardCharsets.UTF_8)).build());
      }
      List<VerificationKey> keys = new ArrayList<>();
      for (JWK jwk : all) {
        VerificationKey key = VerificationKey.of(jwk);
        if (key != null) {
          keys.add(key);
        }
      }
      return List.copyOf(keys);
    }

    /**
     * Keys without a kid are tried for every token that names none of the others, so more of them
     * than a token may be checked against would make such tokens fail whatever they carry.
     */
    private static void checkKeysWithoutKid(String issuer, List<VerificationKey> keys, List<String> algorithms) {
      for (String name : algorithms) {
        JWSAlgorithm algorithm = algorithm(name);
        long withoutKid = keys.stream().filter(key -> key.kid() == null && key.accepts(algorithm)).count();
        if (withoutKid > TokenVerifier.MAX_KEYS_PER_TOKEN) {
          throw new IllegalArgumentException("issuer '" + issuer + "': " + withoutKid + " keys without a kid can verify " + algorithm
              + " tokens (expected: at most " + TokenVerifier.MAX_KEYS_PER_TOKEN + ", as a token is checked against at most "
              + TokenVerifier.MAX_KEYS_PER_TOKEN + " keys; drop retired secrets or keys, or give the keys in jwks a kid)");
        }
      }
    }

    /** The allowed algorithms, parsed. */
    Set<JWSAlgorithm> allowedAlgorithms() {
      Set<JWSAlgorithm> allowed = new HashSet<>();
      algorithms.forEach(name -> allowed.add(algorithm(name)));
      return Set.copyOf(allowed);
    }

    private static JWSAlgorithm algorithm(String name) {
      if (name == null || name.isBlank() || name.trim().equalsIgnoreCase("none")) {
        throw new IllegalArgumentException("algorithms: '" + name + "' is refused: unsigned tokens are never accepted (expected: one of "
            + SUPPORTED_NAMES + ")");
      }
      JWSAlgorithm algorithm = JWSAlgorithm.parse(name);
      if (!SUPPORTED.contains(algorithm)) {
        throw new IllegalArgumentException("algorithms: '" + name + "' (expected: one of " + SUPPORTED_NAMES + ")");
      }
      return algorithm;
    }

    private static void checkUri(String text, boolean allowInsecure) {
      URI uri;
      try {
        uri = new URI(text);
      } catch (java.net.URISyntaxException e) {
        uri = null;
      }
      String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new IllegalArgumentException("jwks_uri: '" + text + "' (expected: an https URL such as https://idp.example.com/.well-known/jwks.json)");
      }
      // keys fetched without TLS can be replaced on the way, and then any token verifies
      if (scheme.equals("http") && !allowInsecure && !isLoopback(uri.getHost())) {
        throw new IllegalArgumentException("jwks_uri: '" + text + "' is plain http: keys fetched without TLS can be replaced on the way"
            + " (expected: an https URL; http only for a loopback address, or with allow_insecure_jwks: true)");
      }
      if (scheme.equals("https") && allowInsecure) {
        throw new IllegalArgumentException("allow_insecure_jwks: true, but jwks_uri is https (expected: allow_insecure_jwks only with an http jwks_uri)");
      }
    }

    /** {@code localhost}, 127.0.0.0/8 or ::1, written as such: a name is not resolved to find out. */
    private static boolean isLoopback(String host) {
      if (host.equalsIgnoreCase("localhost")) {
        return true;
      }
      if (host.startsWith("[") && host.endsWith("]")) {
        try {
          return java.net.InetAddress.getByName(host.substring(1, host.length() - 1)).isLoopbackAddress(); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
          return false;
        }
      }
      String[] octets = host.split("\\.", -1);
      if (octets.length != 4 || !octets[0].equals("127")) {
        return false;
      }
      for (String octet : octets) {
        if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit) || Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return true;
    }
  }

  private static void onlyWith(String value, String defaultValue, String key, TokenSource chosen, TokenSource owner) {
    if (value != null && !value.equals(defaultValue) && chosen != owner) {
      throw new IllegalArgumentException(key + ": set, but token_from is " + chosen.name().toLowerCase(Locale.ROOT)
          + " (expected: " + key + " only with token_from: " + owner.name().toLowerCase(Locale.ROOT) + ")");
    }
  }

  private static String nonBlank(String value, String key, String expected) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + ": missing (expected: " + expected + ")");
    }
    return value;
  }

  /** An RFC 9110 token: what header and cookie names are made of. */
  static boolean isToken(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
