package io.sluice.plugins.jwt;

import static io.sluice.plugins.jwt.TestKeys.AUDIENCE;
import static io.sluice.plugins.jwt.TestKeys.ISSUER;
import static io.sluice.plugins.jwt.TestKeys.NOW;
import static io.sluice.plugins.jwt.TestKeys.SECRET;
import static io.sluice.plugins.jwt.TestKeys.claims;
import static io.sluice.plugins.jwt.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.sluice.plugintest.TestExchange;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Identity;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin on in-memory exchanges, with keys given inline and a clock that only moves when told. */
class JwtPluginTest {

  static final RSAKey RSA = TestKeys.rsa("rsa-1");
  static final ECKey EC = TestKeys.ec("ec-1");
  static final OctetKeyPair ED = TestKeys.ed25519("ed-1");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final TestTime time = new TestTime(NOW);

  JwtPlugin plugin(String yaml) throws Exception {
    return plugin(yaml, Map.of());
  }

  JwtPlugin plugin(String yaml, Map<String, String> env) throws Exception {
    return new JwtPlugin(JwtConfigs.parse(yaml, env), time, time, HTTP, System.getLogger("jwt-test"));
  }

  /** An issuer trusting the RSA, EC and Ed25519 keys above for RS256, ES256 and EdDSA, plus options. */
  JwtPlugin standard(String more) throws Exception {
    return plugin("""
        issuers:
          - issuer: %s
            audiences: [%s]
            jwks: '%s'
            algorithms: [RS256, ES256, EdDSA]
        %s""".formatted(ISSUER, AUDIENCE, TestKeys.jwks(RSA, EC, ED), more));
  }

  static GatewayError rejection(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Reply.class);
    return ((Decision.Reply) decision).error();
  }

  static void assertRefused(Decision decision, String details) {
    GatewayError error = rejection(decision);
    assertThat(error.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(error.httpStatus()).isEqualTo(401);
    assertThat(error.details()).isEqualTo(details);
    assertThat(error.headers().get("WWW-Authenticate")).startsWith("Bearer realm=\"sluice\", error=\"invalid_token\", error_description=\"");
  }

  @Test
  void aValidTokenPublishesTheIdentityAndForwardsClaimsReplacingSpoofedHeaders() throws Exception {
    JwtPlugin plugin = standard("forward_claims: { sub: x-user-id, tenant: x-tenant, aud: x-audience }");
    TestExchange exchange = Requests.of("authorization", "Bearer " + sign(RSA, JWSAlgorithm.RS256, claims().build()),
        "x-user-id", "mallory", "X-Tenant", "evil", "x-audience", "spoofed");

    assertThat(plugin.onRequest(exchange)).isSameAs(Decision.proceed());

    Identity identity = exchange.attributes().get(Identity.KEY);
    assertThat(identity.subject()).isEqualTo("alice");
    assertThat(identity.authenticatedBy()).isEqualTo("jwt");
    assertThat(identity.claims()).containsEntry("tenant", "acme").containsEntry("iss", ISSUER)
        .containsEntry("exp", NOW.plusSeconds(3600).getEpochSecond());
    assertThat(exchange.requestHeaders().getAll("x-user-id")).containsExactly("alice");
    assertThat(exchange.requestHeaders().getAll("x-tenant")).containsExactly("acme");
    assertThat(exchange.requestHeaders().getAll("x-audience")).containsExactly(AUDIENCE);
    assertThat(exchange.requestHeaders().get("authorization")).startsWith("Bearer ");
  }

  @Test
  void theForwardClaimHeadersAreDeclaredForTheGatewayToStripFromEveryRequest() throws Exception {
    JwtPlugin plugin = standard("forward_claims: { email: x-user-email, sub: X-User-Id }");

    assertThat(new JwtPluginFactory().identityHeaders(plugin.config())).containsExactlyInAnyOrder("x-user-email", "X-User-Id");
    assertThat(new JwtPluginFactory().identityHeaders(standard("").config())).isEmpty();
  }

  @Test
  void esAndEdDsaAndHmacTokensVerify() throws Exception {
    JwtPlugin asymmetric = standard("");
    JwtPlugin hmac = plugin("""
        issuers:
          - { issuer: "%s", secrets: ["${SECRET}"], algorithms: [HS256], audiences: [api] }
        """.formatted(ISSUER), Map.of("SECRET", SECRET));

    assertThat(asymmetric.onRequest(Requests.bearer(sign(EC, JWSAlgorithm.ES256, claims().build())))).isSameAs(Decision.proceed());
    assertThat(asymmetric.onRequest(Requests.bearer(sign(ED, JWSAlgorithm.EdDSA, claims().build())))).isSameAs(Decision.proceed());
    assertThat(hmac.onRequest(Requests.bearer(TestKeys.hmac(SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
        claims().build())))).isSameAs(Decision.proceed());
    assertRefused(hmac.onRequest(Requests.bearer(TestKeys.hmac("another-secret-of-32-bytes-or-more!".getBytes(StandardCharsets.UTF_8),
        JWSAlgorithm.HS256, claims().build()))), "jwt.signature_invalid");
  }

  @Test
  void pemPublicKeysVerify() throws Exception {
    JwtPlugin plugin = plugin("""
        issuers:
          - issuer: %s
            public_keys:
              - |
        %s
              - |
        %s
            algorithms: [RS256, ES256]
            audiences: [api]
        """.formatted(ISSUER, indent(TestKeys.pem(RSA.toPublicKey()), 8), indent(TestKeys.pem(EC.toPublicKey()), 8)));

    assertThat(plugin.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().build())))).isSameAs(Decision.proceed());
    assertThat(plugin.onRequest(Requests.bearer(sign(EC, JWSAlgorithm.ES256, claims().build())))).isSameAs(Decision.proceed());
    assertRefused(plugin.onRequest(Requests.bearer(sign(TestKeys.ATTACKER_RSA, JWSAlgorithm.RS256, claims().build()))),
        "jwt.signature_invalid");
  }

  @Test
  void anUnsignedTokenIsRefused() throws Exception {
    JwtPlugin plugin = standard("");
    String none = new PlainJWT(claims().build()).serialize();

    assertRefused(plugin.onRequest(Requests.bearer(none)), "jwt.unsigned");
    // the same with a signature part pasted on, and with "alg":"none" spelled differently
    String header = Base64URL.encode("{\"alg\":\"None\",\"typ\":\"JWT\"}").toString();
    String payload = none.split("\\.")[1];
    assertThat(rejection(plugin.onRequest(Requests.bearer(header + "." + payload + ".c2lnbmF0dXJl"))).details())
        .isIn("jwt.unsigned", "jwt.malformed", "jwt.algorithm_not_allowed");
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyIsRefused() throws Exception {
    byte[] publicKeyBytes = TestKeys.pem(RSA.toPublicKey()).getBytes(StandardCharsets.US_ASCII);
    String confused = TestKeys.hmac(publicKeyBytes, JWSAlgorithm.HS256, claims().build());
    JwtPlugin rsOnly = standard("");
    JwtPlugin both = plugin("""
        issuers:
          - issuer: %s
            jwks: '%s'
            secrets: ["%s"]
            algorithms: [RS256, HS256]
            audiences: [api]
        """.formatted(ISSUER, TestKeys.jwks(RSA), SECRET));

    assertRefused(rsOnly.onRequest(Requests.bearer(confused)), "jwt.algorithm_not_allowed");
    // where HS256 is allowed, only the configured secrets are HMAC keys: never the RSA key
    assertRefused(both.onRequest(Requests.bearer(confused)), "jwt.signature_invalid");
    assertThat(both.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().build())))).isSameAs(Decision.proceed());
  }

  @Test
  void aKeyOnlyVerifiesItsOwnAlgorithmFamily() throws Exception {
    JwtPlugin plugin = standard("");
    // an RS256 token naming the EC key: no RSA key has that kid
    String named = sign(RSA, JWSAlgorithm.RS256, claims().build(), h -> h.keyID("ec-1"));

    assertRefused(plugin.onRequest(Requests.bearer(named)), "jwt.unknown_kid");
  }

  /** An issuer trusting {@code keys} for ES256. */
  JwtPlugin es256(ECKey... keys) throws Exception {
    return plugin("""
        issuers:
          - { issuer: "%s", jwks: '%s', algorithms: [ES256], audiences: [api] }
        """.formatted(ISSUER, TestKeys.jwks(keys)));
  }

  @Test
  void aTokenWithoutKidIsCheckedAgainstAtMostFourKeysAndPastThatRefusedUnchecked() throws Exception {
    ECKey[] five = {TestKeys.ec("k1"), TestKeys.ec("k2"), TestKeys.ec("k3"), TestKeys.ec("k4"), TestKeys.ec("k5")};
    JwtPlugin four = es256(five[0], five[1], five[2], five[3]);
    JwtPlugin all = es256(five);
    String lastOfFour = sign(five[3], JWSAlgorithm.ES256, claims().build(), h -> h.keyID(null));
    String lastOfFive = sign(five[4], JWSAlgorithm.ES256, claims().build(), h -> h.keyID(null));

    assertThat(four.onRequest(Requests.bearer(lastOfFour))).isSameAs(Decision.proceed());
    assertThat(four.verifier().signatureChecks()).isEqualTo(4);

    assertRefused(all.onRequest(Requests.bearer(lastOfFive)), "jwt.too_many_keys");
    assertThat(all.verifier().signatureChecks()).isZero();
    assertThat(rejection(all.onRequest(Requests.bearer(lastOfFive))).message()).isEqualTo("The token does not say which key signed it");
    // naming the key is all it takes
    assertThat(all.onRequest(Requests.bearer(sign(five[4], JWSAlgorithm.ES256, claims().build())))).isSameAs(Decision.proceed());
    assertThat(all.verifier().signatureChecks()).isEqualTo(1);
  }

  @Test
  void aTokenNamingAKeyIsCheckedOnlyAgainstThatKeyThoughOthersHaveNoKid() throws Exception {
    ECKey named = TestKeys.ec("named");
    JwtPlugin plugin = es256(TestKeys.ec(null), TestKeys.ec(null), TestKeys.ec(null), TestKeys.ec(null), named);

    assertThat(plugin.onRequest(Requests.bearer(sign(named, JWSAlgorithm.ES256, claims().build())))).isSameAs(Decision.proceed());
    assertThat(plugin.verifier().signatureChecks()).isEqualTo(1);
  }

  @Test
  void aKeyWhoseKeyOpsDoNotIncludeVerifyIsNotUsed() throws Exception {
    ECKey encryptOnly = new ECKey.Builder(TestKeys.ec("enc")).keyOperations(java.util.Set.of(com.nimbusds.jose.jwk.KeyOperation.ENCRYPT))
        .build();
    ECKey verify = new ECKey.Builder(TestKeys.ec("ver")).keyOperations(java.util.Set.of(com.nimbusds.jose.jwk.KeyOperation.VERIFY))
        .build();
    JwtPlugin plugin = es256(encryptOnly, verify);

    assertRefused(plugin.onRequest(Requests.bearer(sign(encryptOnly, JWSAlgorithm.ES256, claims().build()))), "jwt.unknown_kid");
    assertThat(plugin.onRequest(Requests.bearer(sign(verify, JWSAlgorithm.ES256, claims().build())))).isSameAs(Decision.proceed());
  }

  @Test
  void aTamperedPayloadIsRefused() throws Exception {
    JwtPlugin plugin = standard("");
    String[] parts = sign(RSA, JWSAlgorithm.RS256, claims().build()).split("\\.");
    String admin = Base64URL.encode(claims().subject("admin").build().toString()).toString();

    assertRefused(plugin.onRequest(Requests.bearer(parts[0] + "." + admin + "." + parts[2])), "jwt.signature_invalid");
    assertThat(plugin.verifier().signatureChecks()).isEqualTo(1);
  }

  @Test
  void timeClaimsAreCheckedWithTheClockSkew() throws Exception {
    JwtPlugin plugin = standard("clock_skew: 30s");
    String expiredLongAgo = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(Date.from(NOW.minusSeconds(31))).build());
    String expiredWithinSkew = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(Date.from(NOW.minusSeconds(29))).build());
    String notYet = sign(RSA, JWSAlgorithm.RS256, claims().notBeforeTime(Date.from(NOW.plusSeconds(31))).build());
    String issuedLater = sign(RSA, JWSAlgorithm.RS256, claims().issueTime(Date.from(NOW.plusSeconds(300))).build());
    String noExpiry = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(null).build());

    assertRefused(plugin.onRequest(Requests.bearer(expiredLongAgo)), "jwt.expired");
    assertThat(plugin.onRequest(Requests.bearer(expiredWithinSkew))).isSameAs(Decision.proceed());
    assertRefused(plugin.onRequest(Requests.bearer(notYet)), "jwt.not_yet_valid");
    assertRefused(plugin.onRequest(Requests.bearer(issuedLater)), "jwt.iat_in_future");
    assertRefused(plugin.onRequest(Requests.bearer(noExpiry)), "jwt.exp_missing");
  }

  @Test
  void issuerAudienceAndRequiredClaimsAreChecked() throws Exception {
    JwtPlugin plugin = standard("required_claims: [tenant]");

    assertRefused(plugin.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().issuer("https://evil.test").build()))),
        "jwt.issuer_unknown");
    assertRefused(plugin.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().issuer(null).build()))),
        "jwt.issuer_unknown");
    assertRefused(plugin.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().audience("other").build()))),
        "jwt.audience_mismatch");
    assertThat(plugin.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().audience(List.of("other", AUDIENCE)).build()))))
        .isSameAs(Decision.proceed());
    assertRefused(plugin.onRequest(Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().claim("tenant", null).build()))),
        "jwt.claim_missing");
  }

  @Test
  void aTokenWithoutAudienceIsRefusedUnlessAnyAudienceWasWrittenOut() throws Exception {
    JwtPlugin listed = standard("");
    JwtPlugin any = plugin("""
        issuers:
          - { issuer: "%s", jwks: '%s', algorithms: [RS256], audiences: ["*"] }
        """.formatted(ISSUER, TestKeys.jwks(RSA)));
    String noAudience = sign(RSA, JWSAlgorithm.RS256, claims().audience((String) null).build());
    String otherAudience = sign(RSA, JWSAlgorithm.RS256, claims().audience("billing").build());

    assertRefused(listed.onRequest(Requests.bearer(noAudience)), "jwt.audience_mismatch");
    assertRefused(listed.onRequest(Requests.bearer(otherAudience)), "jwt.audience_mismatch");
    assertThat(any.onRequest(Requests.bearer(noAudience))).isSameAs(Decision.proceed());
    assertThat(any.onRequest(Requests.bearer(otherAudience))).isSameAs(Decision.proceed());
  }

  @Test
  void maxTokenAgeCountsFromIssueTime() throws Exception {
    JwtPlugin plugin = standard("max_token_age: 5m\nclock_skew: 0s");
    String fresh = sign(RSA, JWSAlgorithm.RS256, claims().issueTime(Date.from(NOW.minusSeconds(60))).build());
    String old = sign(RSA, JWSAlgorithm.RS256, claims().issueTime(Date.from(NOW.minusSeconds(600))).build());
    String undated = sign(RSA, JWSAlgorithm.RS256, claims().issueTime(null).build());

    assertThat(plugin.onRequest(Requests.bearer(fresh))).isSameAs(Decision.proceed());
    assertRefused(plugin.onRequest(Requests.bearer(old)), "jwt.too_old");
    assertRefused(plugin.onRequest(Requests.bearer(undated)), "jwt.claim_missing");

    time.advance(Duration.ofMinutes(5));
    assertRefused(plugin.onRequest(Requests.bearer(fresh)), "jwt.too_old"); // from the cache, too
  }

  @Test
  void aCacheHitDoesNotVerifyAgainButStillChecksExpiry() throws Exception {
    JwtPlugin plugin = standard("clock_skew: 0s\nforward_claims: { sub: x-user-id }");
    String token = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(Date.from(NOW.plusSeconds(120))).build());

    assertThat(plugin.onRequest(Requests.bearer(token))).isSameAs(Decision.proceed());
    TestExchange second = Requests.of("authorization", "Bearer " + token, "x-user-id", "mallory");
    assertThat(plugin.onRequest(second)).isSameAs(Decision.proceed());
    assertThat(plugin.verifier().signatureChecks()).isEqualTo(1);
    assertThat(second.attributes().get(Identity.KEY).subject()).isEqualTo("alice");
    assertThat(second.requestHeaders().getAll("x-user-id")).containsExactly("alice");

    time.advanceWallClock(Duration.ofSeconds(121)); // the entry is still there: the hit itself must refuse
    assertRefused(plugin.onRequest(Requests.bearer(token)), "jwt.expired");
    assertThat(plugin.verifier().signatureChecks()).isEqualTo(1);
  }

  @Test
  void withTheCacheOffEveryRequestIsVerified() throws Exception {
    JwtPlugin plugin = standard("cache_size: 0");
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());

    plugin.onRequest(Requests.bearer(token));
    plugin.onRequest(Requests.bearer(token));

    assertThat(plugin.verifier().signatureChecks()).isEqualTo(2);
  }

  @Test
  void aMissingTokenGetsABareChallenge() throws Exception {
    JwtPlugin plugin = standard("");

    assertRefusedMissing(plugin.onRequest(Requests.of()));
    assertRefusedMissing(plugin.onRequest(Requests.of("authorization", "Basic YWxpY2U6c2VjcmV0")));
    assertRefusedMissing(plugin.onRequest(Requests.of("authorization", "Bearer ")));
  }

  static void assertRefusedMissing(Decision decision) {
    GatewayError error = rejection(decision);
    assertThat(error.httpStatus()).isEqualTo(401);
    assertThat(error.details()).isEqualTo("jwt.missing");
    assertThat(error.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"sluice\"");
  }

  @Test
  void garbageHugeAndDoubledTokensAreRefusedBeforeAnySignatureCheck() throws Exception {
    JwtPlugin plugin = standard("max_token_bytes: 1024");
    String huge = sign(RSA, JWSAlgorithm.RS256, claims().claim("padding", "x".repeat(2000)).build());

    assertRefused(plugin.onRequest(Requests.bearer("not-a-token")), "jwt.malformed");
    assertRefused(plugin.onRequest(Requests.bearer("%%%.@@@.!!!")), "jwt.malformed");
    assertRefused(plugin.onRequest(Requests.bearer("eyJhbGciOiJSUzI1NiJ9.e30")), "jwt.malformed");
    assertRefused(plugin.onRequest(Requests.bearer(huge)), "jwt.too_large");
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    assertRefused(plugin.onRequest(Requests.of("authorization", "Bearer " + token, "authorization", "Bearer " + token)),
        "jwt.multiple_tokens");
    assertThat(plugin.verifier().signatureChecks()).isZero();
  }

  @Test
  void theTokenIsReadOnlyFromTheConfiguredPlace() throws Exception {
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    JwtPlugin fromHeader = standard("");
    JwtPlugin fromQuery = standard("token_from: query\nquery_param: jwt");
    JwtPlugin fromCookie = standard("token_from: cookie\ncookie_name: session");
    JwtPlugin fromCustomHeader = standard("header_name: x-api-token");

    assertRefusedMissing(fromHeader.onRequest(Requests.of().query("access_token=" + token)));
    assertRefusedMissing(fromHeader.onRequest(Requests.of("cookie", "access_token=" + token)));
    assertThat(fromQuery.onRequest(Requests.of().query("jwt=" + token))).isSameAs(Decision.proceed());
    assertRefusedMissing(fromQuery.onRequest(Requests.bearer(token)));
    assertThat(fromCookie.onRequest(Requests.of("cookie", "theme=dark; session=" + token))).isSameAs(Decision.proceed());
    assertRefusedMissing(fromCookie.onRequest(Requests.of("cookie", "xsession=" + token)));
    assertThat(fromCustomHeader.onRequest(Requests.of("x-api-token", token))).isSameAs(Decision.proceed());
    assertThat(fromCustomHeader.onRequest(Requests.of("x-api-token", "Bearer " + token))).isSameAs(Decision.proceed());
    assertRefusedMissing(fromCustomHeader.onRequest(Requests.bearer(token)));
  }

  @Test
  void stripAuthorizationRemovesTheTokenBeforeTheUpstream() throws Exception {
    JwtPlugin plugin = standard("strip_authorization: true");
    TestExchange exchange = Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims().build()));

    assertThat(plugin.onRequest(exchange)).isSameAs(Decision.proceed());
    assertThat(exchange.requestHeaders().contains("authorization")).isFalse();
  }

  @Test
  void anEmbeddedJwkHeaderIsNeverTrusted() throws Exception {
    JwtPlugin plugin = standard("");
    RSAKey attacker = TestKeys.ATTACKER_RSA; // same kid as the real key
    String withJwk = sign(attacker, JWSAlgorithm.RS256, claims().build(), h -> h.jwk(attacker.toPublicJWK()));
    String withoutKid = sign(attacker, JWSAlgorithm.RS256, claims().build(), h -> h.keyID(null).jwk(attacker.toPublicJWK()));

    assertRefused(plugin.onRequest(Requests.bearer(withJwk)), "jwt.signature_invalid");
    assertRefused(plugin.onRequest(Requests.bearer(withoutKid)), "jwt.signature_invalid");
  }

  @Test
  void aForwardedClaimThatCannotBeAHeaderValueIsLeftOut() throws Exception {
    JwtPlugin plugin = standard("forward_claims: { note: x-note, roles: x-roles, ctx: x-ctx }");
    JWTClaimsSet claims = claims().claim("note", "line\r\nx-admin: true").claim("roles", List.of("admin", "ops"))
        .claim("ctx", Map.of("a", 1)).build();
    TestExchange exchange = Requests.bearer(sign(RSA, JWSAlgorithm.RS256, claims));

    assertThat(plugin.onRequest(exchange)).isSameAs(Decision.proceed());
    assertThat(exchange.requestHeaders().contains("x-note")).isFalse();
    assertThat(exchange.requestHeaders().get("x-roles")).isEqualTo("admin,ops");
    assertThat(exchange.requestHeaders().get("x-ctx")).isEqualTo("{\"a\":1}");
  }

  static String indent(String text, int spaces) {
    return text.lines().map(line -> " ".repeat(spaces) + line).reduce((a, b) -> a + "\n" + b).orElse("");
  }
}
