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
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256] }
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
    assertThat(issuer.audiences()).isEmpty();
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
            List.of("RS256", "HS512"), Duration.ofHours(1), Duration.ofMinutes(1))),
        JwtConfig.TokenSource.COOKIE, "Authorization", "access_token", "session", Duration.ofSeconds(5), List.of("tenant"),
        Duration.ofDays(1), 4096, Map.of("sub", "x-user-id"), false, 50));
  }

  @Test
  void algNoneIsRefusedAtConfigTime() {
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256, none] }
        """.formatted(ISSUER, JWKS_URI)))
        .contains("plugins[0].jwt.issuers[0]")
        .contains("algorithms: 'none' is refused: unsigned tokens are never accepted (expected: one of HS256,");
  }

  @Test
  void anUnknownAlgorithmIsNamed() {
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS255] }
        """.formatted(ISSUER, JWKS_URI)))
        .contains("algorithms: 'RS255' (expected: one of HS256, HS384, HS512, RS256");
  }

  @Test
  void aShortSecretIsRefusedWithoutEchoingIt() {
    String problems = JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", secrets: ["short-secret-value"], algorithms: [HS256] }
        """.formatted(ISSUER));

    assertThat(problems).contains("secrets[0]: 18 bytes (expected: at least 32 bytes for HS256)").doesNotContain("short-secret-value");
  }

  @Test
  void keysMustMatchTheAlgorithms() {
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", algorithms: [RS256] }
        """.formatted(ISSUER)))
        .contains("issuer 'https://idp.test': no keys (expected: jwks_uri, jwks, public_keys or secrets)");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [HS256] }
        """.formatted(ISSUER, JWKS_URI)))
        .contains("has HMAC algorithms but there are no secrets");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", secrets: ["%s"], algorithms: [RS256] }
        """.formatted(ISSUER, TestKeys.SECRET)))
        .contains("secrets: set, but algorithms [RS256] has no HMAC algorithm");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", algorithms: [RS256] }
        """.formatted(ISSUER)))
        .doesNotContain("missing (expected: the allowed");
  }

  @Test
  void badKeyMaterialIsNamed() {
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "file:///etc/passwd", algorithms: [RS256] }
        """.formatted(ISSUER)))
        .contains("jwks_uri: 'file:///etc/passwd' (expected: an http or https URL");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks: "{not json", algorithms: [RS256] }
        """.formatted(ISSUER)))
        .contains("jwks: not a JWK set");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", public_keys: ["-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----"], algorithms: [RS256] }
        """.formatted(ISSUER)))
        .contains("public_keys[0]: not readable (expected: a PEM public key");
  }

  @Test
  void missingPiecesAndMisplacedOptionsAreNamed() {
    assertThat(JwtConfigs.problems("token_from: header\n")).contains("issuers: missing (expected: at least one issuer");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { jwks_uri: "%s", algorithms: [RS256] }
        """.formatted(JWKS_URI))).contains("issuer: missing (expected: the exact iss value");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s" }
        """.formatted(ISSUER, JWKS_URI))).contains("algorithms: missing (expected: the allowed algorithms, e.g. [RS256])");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256] }
        query_param: jwt
        """.formatted(ISSUER, JWKS_URI)))
        .contains("query_param: set, but token_from is header (expected: query_param only with token_from: query)");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256] }
        token_from: query
        strip_authorization: true
        """.formatted(ISSUER, JWKS_URI)))
        .contains("strip_authorization: true (expected: only with token_from: header)");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256] }
        forward_claims: { sub: "x user" }
        """.formatted(ISSUER, JWKS_URI)))
        .contains("forward_claims.sub: 'x user' (expected: a header name)");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256] }
          - { issuer: "%s", jwks_uri: "%s", algorithms: [ES256] }
        """.formatted(ISSUER, JWKS_URI, ISSUER, JWKS_URI)))
        .contains("issuers: 'https://idp.test' is listed twice");
    assertThat(JwtConfigs.problems("""
        issuers:
          - { issuer: "%s", jwks_uri: "%s", algorithms: [RS256] }
        token_from: body
        """.formatted(ISSUER, JWKS_URI)))
        .contains("expected one of: header, query, cookie");
  }
}
