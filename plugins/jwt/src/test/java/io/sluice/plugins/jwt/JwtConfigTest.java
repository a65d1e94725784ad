package io.sluice.plugins.jwt;

import static io.sluice.plugins.jwt.TestKeys.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin's YAML as the gateway binds it: defaults, and a sentence for every mistake. */
class JwtConfigTest {

  static final String JWKS_URI = "https://idp.test/.well-known/jwks.json";

  @Test
  void defaults() throws Exception {
    JwtConfig config = JwtConfigs.parse("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256], audiences: [api] }
        """.formatted(ISSUER, JWKS_URI));

    assertThat(config.tokenFrom()).isEqualTo(JwtConfig.TokenSource.HEADER);
    assertThat(config.headerName()).isEqualTo("Authorization");
    assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxTokenBytes()).isEqualTo(8192);
    assertThat(config.cacheSize()).isEqualTo(10_000);
    assertThat(config.maxTokenAge()).isNull();
    assertThat(config.stripAuthorization()).isFalse();
    JwtConfig.Issuer issuer = config.issuers().get(0);
    assertThat(issuer.jwksCacheTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(issuer.jwksRefreshMinInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(issuer.audiences()).containsExactly("api");
    assertThat(issuer.allowInsecureJwks()).isFalse();
  }

  @Test
  void everyKeyBinds() throws Exception {
    JwtConfig config = JwtConfigs.parse("""
        issuers:
          - issuer: "%s"
            audiences: [api, admin]
            jwks_uri: "%s"
            secrets: ["${SECRET}"]
            algorithms: [RS256, HS512]
            jwks_cache_ttl: 1h
            jwks_refresh_min_interval: 1m
        token_from: cookie
        cookie_name: session
        clock_skew: 5s
        required_claims: [tenant]
        max_token_age: 1d
        max_token_bytes: 4096
        forward_claims: { sub: x-user-id }
        cache_size: 50
        """.formatted(ISSUER, JWKS_URI), Map.of("SECRET", "s".repeat(64)));

    assertThat(config).isEqualTo(new JwtConfig(
        List.of(new JwtConfig.Issuer(ISSUER, List.of("api", "admin"), JWKS_URI, null, List.of(), List.of("s".repeat(64)),
            List.of("RS256", "HS512"), Duration.ofHours(1), Duration.ofMinutes(1), false)),
        JwtConfig.TokenSource.COOKIE, "Authorization", "access_token", "session", Duration.ofSeconds(5), List.of("tenant"),
        Duration.ofDays(1), 4096, Map.of("sub", "x-user-id"), false, 50));
  }

  /** The problems of a config with one issuer (its keys besides {@code issuer} written inline) and more top-level lines. */
  static String problems(String issuerKeys, String topLevel) {
    return JwtConfigs.problems("issuers:\n  - { issuer: \"" + ISSUER + "\", " + issuerKeys + " }\n" + topLevel);
  }

  static String problems(String issuerKeys) {
    return problems(issuerKeys, "");
  }

  static final String RS256_FROM_URI = "jwks_uri: \"" + JWKS_URI + "\", algorithms: [RS256], audiences: [api]";

  @Test
  void algNoneIsRefusedAtConfigTime() {
    assertThat(problems("jwks_uri: \"" + JWKS_URI + "\", algorithms: [RS256, none]"))
        .contains("plugins[0].jwt.issuers[0]")
        .contains("algorithms: 'none' is refused: unsigned tokens are never accepted (expected: one of HS256,");
  }

  @Test
  void anUnknownAlgorithmIsNamed() {
    assertThat(problems("jwks_uri: \"" + JWKS_URI + "\", algorithms: [RS255]"))
        .contains("algorithms: 'RS255' (expected: one of HS256, HS384, HS512, RS256");
  }

  @Test
  void aShortSecretIsRefusedWithoutEchoingIt() {
    assertThat(problems("secrets: [\"short-secret-value\"], algorithms: [HS256]"))
        .contains("secrets[0]: 18 bytes (expected: at least 32 bytes for HS256)").doesNotContain("short-secret-value");
  }

  @Test
  void keysMustMatchTheAlgorithms() {
    assertThat(problems("algorithms: [RS256]"))
        .contains("issuer 'https://idp.test': no keys (expected: jwks_uri, jwks, public_keys or secrets)");
    assertThat(problems("jwks_uri: \"" + JWKS_URI + "\", algorithms: [HS256]"))
        .contains("has HMAC algorithms but there are no secrets");
    assertThat(problems("secrets: [\"" + TestKeys.SECRET + "\"], algorithms: [RS256]"))
        .contains("secrets: set, but algorithms [RS256] has no HMAC algorithm");
  }

  @Test
  void moreKeysWithoutKidThanATokenIsCheckedAgainstAreRefused() throws Exception {
    String five = "secrets: [\"${S1}\", \"${S2}\", \"${S3}\", \"${S4}\", \"${S5}\"], algorithms: [HS256], audiences: [api]";
    Map<String, String> env = Map.of("S1", "1".repeat(32), "S2", "2".repeat(32), "S3", "3".repeat(32), "S4", "4".repeat(32),
        "S5", "5".repeat(32));
    String problems;
    try {
      JwtConfigs.parse("issuers:\n  - { issuer: \"" + ISSUER + "\", " + five + " }\n", env);
      problems = "";
    } catch (io.sluice.config.ConfigException e) {
      problems = e.problems().toString();
    }

    assertThat(problems).contains("plugins[0].jwt.issuers[0]: issuer 'https://idp.test': 5 keys without a kid can verify HS256 tokens"
        + " (expected: at most 4, as a token is checked against at most 4 keys; drop retired secrets or keys, or give the keys in jwks a kid)");
    assertThat(JwtConfigs.parse("issuers:\n  - { issuer: \"" + ISSUER + "\", " + five.replace(", \"${S5}\"", "") + " }\n", env)
        .issuers().get(0).secrets()).hasSize(4);
  }

  @Test
  void badKeyMaterialIsNamed() {
    assertThat(problems("jwks_uri: \"file:///etc/passwd\", algorithms: [RS256]"))
        .contains("jwks_uri: 'file:///etc/passwd' (expected: an https URL");
    assertThat(problems("jwks: \"{not json\", algorithms: [RS256]"))
        .contains("jwks: not a JWK set");
    assertThat(problems("public_keys: [\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"], algorithms: [RS256]"))
        .contains("public_keys[0]: not readable (expected: a PEM public key");
  }

  @Test
  void aPlainHttpJwksUriIsRefusedWithWhereItWasWritten() {
    assertThat(JwtConfigs.problems("""
        issuers:
          - issuer: https://idp.test
            jwks_uri: http://idp.test/jwks.json
            algorithms: [RS256]
        """)).isEqualTo("test.yaml:6:11 plugins[0].jwt.issuers[0]: jwks_uri: 'http://idp.test/jwks.json' is plain http:"
        + " keys fetched without TLS can be replaced on the way"
        + " (expected: an https URL; http only for a loopback address, or with allow_insecure_jwks: true)");
    assertThat(problems("jwks_uri: \"http://10.0.0.1/jwks.json\", algorithms: [RS256]")).contains("is plain http");
    assertThat(problems("jwks_uri: \"http://127.0.0.1.example.com/jwks.json\", algorithms: [RS256]")).contains("is plain http");
    assertThat(problems("jwks_uri: \"http://[::2]/jwks.json\", algorithms: [RS256]")).contains("is plain http");
  }

  @Test
  void plainHttpIsAcceptedOnLoopbackOrWhenAllowedOutright() throws Exception {
    for (String uri : List.of("http://127.0.0.1:8080/jwks.json", "http://127.5.6.7/jwks.json", "http://localhost:9000/jwks.json",
        "http://LOCALHOST/jwks.json", "http://[::1]:8080/jwks.json")) {
      assertThat(JwtConfigs.parse("issuers:\n  - { issuer: x, jwks_uri: \"" + uri + "\", algorithms: [RS256], audiences: [api] }\n")
          .issuers().get(0).jwksUri()).isEqualTo(uri);
    }
    JwtConfig.Issuer allowed = JwtConfigs.parse("""
        issuers:
          - { issuer: x, jwks_uri: "http://idp.internal/jwks.json", allow_insecure_jwks: true, algorithms: [RS256], audiences: [api] }
        """).issuers().get(0);
    assertThat(allowed.allowInsecureJwks()).isTrue();
    assertThat(problems("jwks_uri: \"" + JWKS_URI + "\", allow_insecure_jwks: true, algorithms: [RS256]"))
        .contains("allow_insecure_jwks: true, but jwks_uri is https (expected: allow_insecure_jwks only with an http jwks_uri)");
    assertThat(problems("secrets: [\"" + TestKeys.SECRET + "\"], allow_insecure_jwks: true, algorithms: [HS256]"))
        .contains("allow_insecure_jwks: true, but there is no jwks_uri");
  }

  @Test
  void audiencesAreRequiredAndTheMistakeSaysWhatToWrite() {
    assertThat(JwtConfigs.problems("""
        issuers:
          - issuer: https://idp.test
            jwks_uri: https://idp.test/jwks.json
            algorithms: [RS256]
        """)).isEqualTo("test.yaml:6:11 plugins[0].jwt.issuers[0]: audiences: missing (expected: the aud values a token of issuer"
        + " 'https://idp.test' must carry to be accepted here, such as audiences: [api], or audiences: [\"*\"] to accept any audience)");
    assertThat(problems(RS256_FROM_URI.replace("audiences: [api]", "audiences: []"))).contains("audiences: missing");
    assertThat(problems(RS256_FROM_URI.replace("audiences: [api]", "audiences: [api, \"*\"]")))
        .contains("audiences: [api, *] mixes '*' with audiences (expected: either the audiences, or [\"*\"] alone to accept any audience)");
    assertThat(problems(RS256_FROM_URI.replace("audiences: [api]", "audiences: \"*\""))).contains("audiences");
  }

  @Test
  void anyAudienceIsWrittenAsAStar() throws Exception {
    JwtConfig.Issuer any = JwtConfigs.parse("issuers:\n  - { issuer: x, jwks_uri: \"" + JWKS_URI + "\", algorithms: [RS256], audiences: [\"*\"] }\n")
        .issuers().get(0);
    JwtConfig.Issuer some = JwtConfigs.parse("issuers:\n  - { issuer: x, jwks_uri: \"" + JWKS_URI + "\", algorithms: [RS256], audiences: [a, b] }\n")
        .issuers().get(0);

    assertThat(any.anyAudience()).isTrue();
    assertThat(some.anyAudience()).isFalse();
  }

  @Test
  void missingPiecesAndMisplacedOptionsAreNamed() {
    assertThat(JwtConfigs.problems("token_from: header\n")).contains("issuers: missing (expected: at least one issuer");
    assertThat(JwtConfigs.problems("issuers:\n  - { " + RS256_FROM_URI + " }\n")).contains("issuer: missing (expected: the exact iss value");
    assertThat(problems("jwks_uri: \"" + JWKS_URI + "\"")).contains("algorithms: missing (expected: the allowed algorithms, e.g. [RS256])");
    assertThat(problems(RS256_FROM_URI, "query_param: jwt"))
        .contains("query_param: set, but token_from is header (expected: query_param only with token_from: query)");
    assertThat(problems(RS256_FROM_URI, "token_from: query\nstrip_authorization: true"))
        .contains("strip_authorization: true (expected: only with token_from: header)");
    assertThat(problems(RS256_FROM_URI, "forward_claims: { sub: \"x user\" }"))
        .contains("forward_claims.sub: 'x user' (expected: a header name)");
    assertThat(problems(RS256_FROM_URI, "token_from: body")).contains("expected one of: header, query, cookie");
    assertThat(JwtConfigs.problems("issuers:\n  - { issuer: \"" + ISSUER + "\", " + RS256_FROM_URI + " }\n"
        + "  - { issuer: \"" + ISSUER + "\", " + RS256_FROM_URI + " }\n"))
        .contains("issuers: 'https://idp.test' is listed twice");
  }
}
