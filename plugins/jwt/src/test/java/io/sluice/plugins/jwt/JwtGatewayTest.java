package io.sluice.plugins.jwt;

import static io.sluice.plugins.jwt.TestKeys.AUDIENCE;
import static io.sluice.plugins.jwt.TestKeys.ISSUER;
import static io.sluice.plugins.jwt.TestKeys.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The plugin in a real gateway in front of a real upstream, with keys from a real JWKS endpoint; wall-clock time. */
class JwtGatewayTest {

  static final RSAKey RSA = JwtPluginTest.RSA;
  static final ECKey ROTATED_IN = TestKeys.ec("ec-rotated-in");
  static final ECKey[] MANY_KEYS = {TestKeys.ec("m1"), TestKeys.ec("m2"), TestKeys.ec("m3"), TestKeys.ec("m4"), TestKeys.ec("m5")};
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static TestUpstream upstream;
  static JwksServer jwks;
  static JwksServer attacker;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    jwks = new JwksServer(TestKeys.jwks(RSA));
    attacker = new JwksServer(TestKeys.jwks(TestKeys.ATTACKER_RSA));
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins:
              - jwt:
                  issuers:
                    - issuer: "${ISSUER}"
                      audiences: [api]
                      jwks_uri: "${JWKS}"
                      algorithms: [RS256, ES256]
                      jwks_refresh_min_interval: 0s
                    - issuer: https://hmac.test
                      secrets: [ "${JWT_SECRET}" ]
                      algorithms: [HS256]
                      audiences: [api]
                  max_token_bytes: 4096
                  forward_claims: { sub: x-user-id, tenant: x-tenant }
          - id: many-keys
            match: { path: /many/** }
            upstream: backend
            plugins:
              - jwt:
                  issuers: [ { issuer: "${ISSUER}", jwks: '${MANY_JWKS}', algorithms: [ES256], audiences: [api] } ]
          - id: cookie
            match: { path: /web/** }
            upstream: backend
            plugins:
              - jwt:
                  issuers: [ { issuer: "${ISSUER}", jwks_uri: "${JWKS}", algorithms: [RS256], audiences: [api] } ]
                  token_from: cookie
                  cookie_name: session
                  strip_authorization: false
          - id: query
            match: { path: /feed/** }
            upstream: backend
            plugins:
              - jwt:
                  issuers: [ { issuer: "${ISSUER}", jwks_uri: "${JWKS}", algorithms: [RS256], audiences: [api] } ]
                  token_from: query
                  query_param: t
          - id: docs
            match: { path: /docs/** }
            upstream: backend
            plugins:
              - jwt:
                  enabled: false
                  issuers: [ { issuer: "${ISSUER}", jwks_uri: "${JWKS}", algorithms: [RS256], audiences: [api] } ]
                  forward_claims: { email: x-user-email }
          - id: open
            match: { path: /open/** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "ISSUER", ISSUER, "JWKS", jwks.uri(), "JWT_SECRET", SECRET,
            "MANY_JWKS", TestKeys.jwks(MANY_KEYS)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
    jwks.close();
    attacker.close();
  }

  /** Claims valid now, by the wall clock. */
  static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("alice").claim("tenant", "acme")
        .issueTime(Date.from(now.minusSeconds(5))).expirationTime(Date.from(now.plusSeconds(600)));
  }

  static String rs256(JWTClaimsSet claims) {
    return TestKeys.sign(RSA, JWSAlgorithm.RS256, claims);
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aValidTokenReachesTheUpstreamWithItsClaimsAsHeadersAndSpoofedOnesRemoved() throws Exception {
    String token = rs256(claims().build());

    HttpResponse<String> response = get("/api/users", "Authorization", "Bearer " + token, "X-User-Id", "mallory", "x-tenant", "evil");

    assertThat(response.statusCode()).isEqualTo(200);
    io.netty.handler.codec.http.HttpRequest seen = upstream.lastRequest();
    assertThat(seen.uri()).isEqualTo("/api/users");
    assertThat(seen.headers().getAll("x-user-id")).containsExactly("alice");
    assertThat(seen.headers().getAll("x-tenant")).containsExactly("acme");
    assertThat(seen.headers().get("authorization")).isEqualTo("Bearer " + token);
  }

  @Test
  void forwardClaimHeadersFromClientsNeverReachAnUpstreamOnAnyRoute() throws Exception {
    String[] spoofed = {"X-User-Id", "mallory", "x-tenant", "evil", "x-user-email", "ceo@example.com"};
    // /open has no jwt plugin and /docs has it switched off: the claims' headers of every jwt entry are stripped there too
    for (String path : new String[] {"/open/x", "/docs/x"}) {
      assertThat(get(path, spoofed).statusCode()).isEqualTo(200);

      io.netty.handler.codec.http.HttpRequest seen = upstream.lastRequest();
      assertThat(seen.uri()).isEqualTo(path);
      assertThat(seen.headers().contains("x-user-id")).as(path).isFalse();
      assertThat(seen.headers().contains("x-tenant")).as(path).isFalse();
      assertThat(seen.headers().contains("x-user-email")).as(path).isFalse();
    }
    // a verified token without an email claim: no x-user-email, not even the client's
    String token = rs256(claims().build());
    assertThat(get("/api/x", "Authorization", "Bearer " + token, "x-user-email", "ceo@example.com").statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().contains("x-user-email")).isFalse();
    assertThat(upstream.lastRequest().headers().getAll("x-user-id")).containsExactly("alice");
  }

  @Test
  void theClientsConnectionHeaderCannotRemoveAForwardedClaim() throws Exception {
    String token = rs256(claims().build());

    var response = gateway.raw().send("GET /api/conn HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
        + "Connection: close, x-user-id, x-tenant\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().getAll("x-user-id")).containsExactly("alice");
    assertThat(upstream.lastRequest().headers().getAll("x-tenant")).containsExactly("acme");
  }

  @Test
  void anHmacIssuerOnTheSameRouteHasItsOwnKeys() throws Exception {
    String good = TestKeys.hmac(SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256, claims().issuer("https://hmac.test").build());
    // the RSA issuer does not allow HS256, whatever the key
    String wrongIssuer = TestKeys.hmac(SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256, claims().build());

    assertThat(get("/api/x", "Authorization", "Bearer " + good).statusCode()).isEqualTo(200);
    assertThat(get("/api/x", "Authorization", "Bearer " + wrongIssuer).statusCode()).isEqualTo(401);
  }

  static Stream<Arguments> attacks() throws Exception {
    Instant now = Instant.now();
    String valid = rs256(claims().build());
    String[] parts = valid.split("\\.");
    RSAKey evil = TestKeys.ATTACKER_RSA;
    return Stream.of(
        Arguments.of("alg none", new PlainJWT(claims().build()).serialize()),
        Arguments.of("HS256 signed with the RSA public key", TestKeys.hmac(
            TestKeys.pem(JwtPluginTest.RSA.toPublicKey()).getBytes(StandardCharsets.US_ASCII), JWSAlgorithm.HS256, claims().build())),
        Arguments.of("HS256 signed with the RSA modulus", TestKeys.hmac(
            JwtPluginTest.RSA.toRSAPublicKey().getEncoded(), JWSAlgorithm.HS256, claims().build())),
        Arguments.of("tampered payload", parts[0] + "." + Base64URL.encode(claims().subject("admin").build().toString()) + "." + parts[2]),
        Arguments.of("expired", rs256(claims().expirationTime(Date.from(now.minusSeconds(120))).build())),
        Arguments.of("nbf in the future", rs256(claims().notBeforeTime(Date.from(now.plusSeconds(600))).build())),
        Arguments.of("wrong iss", rs256(claims().issuer("https://evil.test").build())),
        Arguments.of("wrong aud", rs256(claims().audience("billing").build())),
        Arguments.of("unknown kid", TestKeys.sign(evil, JWSAlgorithm.RS256, claims().build(), h -> h.keyID("nobody-knows"))),
        Arguments.of("jku to the attacker's JWKS", TestKeys.sign(evil, JWSAlgorithm.RS256, claims().build(),
            h -> h.keyID(evil.getKeyID()).jwkURL(URI.create(attacker.uri())))),
        Arguments.of("embedded jwk", TestKeys.sign(evil, JWSAlgorithm.RS256, claims().build(), h -> h.keyID(null).jwk(evil.toPublicJWK()))),
        Arguments.of("huge token", rs256(claims().claim("padding", "x".repeat(5000)).build())),
        Arguments.of("garbage base64", "eyJ%%%.@@@@.####"),
        Arguments.of("signature stripped", parts[0] + "." + parts[1] + "."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void everyAttackIsRefusedWith401AndNothingReachesTheUpstream(String attack, String token) throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> response = get("/api/users", "Authorization", "Bearer " + token);

    assertThat(response.statusCode()).as(attack).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate")).get().asString()
        .startsWith("Bearer realm=\"sluice\", error=\"invalid_token\", error_description=\"");
    assertThat(response.body()).contains("\"code\":\"UNAUTHENTICATED\"").doesNotContain(token);
    assertThat(upstream.requests()).hasSize(before);
    assertThat(attacker.hits()).isZero();
  }

  @Test
  void theAccessLogNamesTheReasonButNeverTheToken() throws Exception {
    String[] parts = rs256(claims().subject("log-check").build()).split("\\.");
    String tampered = parts[0] + "." + Base64URL.encode(claims().subject("root").build().toString()) + "." + parts[2];

    assertThat(get("/api/log-check", "Authorization", "Bearer " + tampered).statusCode()).isEqualTo(401);

    String log = gateway.accessLog();
    assertThat(log).contains("jwt.signature_invalid").doesNotContain(parts[2]);
  }

  @Test
  void aTokenInTheQueryOrACookieNeverReachesTheAccessLog() throws Exception {
    String inQuery = rs256(claims().subject("query-reader").build());
    String inCookie = rs256(claims().subject("cookie-reader").build());

    // (a token is long enough for the logged target to be cut at 512 characters: the value is redacted to the end)
    assertThat(get("/feed/items?page=2&t=" + inQuery).statusCode()).isEqualTo(200);
    assertThat(get("/web/page", "Cookie", "session=" + inCookie).statusCode()).isEqualTo(200);

    String log = gateway.accessLog();
    assertThat(log).contains(" /feed/items?page=2&t=REDACTED 200 query ").doesNotContain(inQuery, inCookie);
    assertThat(upstream.lastRequest().headers().get("cookie")).as("the upstream still gets them").contains(inCookie);
  }

  @Test
  void aTokenWithoutKidAmongTooManyKeysIsRefusedWithAReasonForOperators() throws Exception {
    int before = upstream.requests().size();
    String withoutKid = TestKeys.sign(MANY_KEYS[4], JWSAlgorithm.ES256, claims().subject("no-kid").build(), h -> h.keyID(null));

    HttpResponse<String> response = get("/many/x", "Authorization", "Bearer " + withoutKid);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate")).contains(
        "Bearer realm=\"sluice\", error=\"invalid_token\", error_description=\"The token does not say which key signed it\"");
    assertThat(upstream.requests()).hasSize(before);
    assertThat(gateway.accessLog()).contains("jwt.too_many_keys");
    String withKid = TestKeys.sign(MANY_KEYS[4], JWSAlgorithm.ES256, claims().subject("kid").build());
    assertThat(get("/many/x", "Authorization", "Bearer " + withKid).statusCode()).isEqualTo(200);
  }

  @Test
  void aTokenInTheWrongPlaceIsNoToken() throws Exception {
    int before = upstream.requests().size();
    String token = rs256(claims().build());

    HttpResponse<String> inQuery = get("/api/users?access_token=" + token);
    HttpResponse<String> inCookie = get("/api/users", "Cookie", "session=" + token);
    HttpResponse<String> inHeaderOfCookieRoute = get("/web/home", "Authorization", "Bearer " + token);

    for (HttpResponse<String> response : List.of(inQuery, inCookie, inHeaderOfCookieRoute)) {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().allValues("www-authenticate")).containsExactly("Bearer realm=\"sluice\"");
    }
    assertThat(upstream.requests()).hasSize(before);
    assertThat(get("/web/home", "Cookie", "theme=dark; session=" + token).statusCode()).isEqualTo(200);
  }

  @Test
  void aRotatedInKeyIsFetchedAndARotatedOutKeyIsRefused() throws Exception {
    jwks.rotate(TestKeys.jwks(RSA, ROTATED_IN));
    String fresh = TestKeys.sign(ROTATED_IN, JWSAlgorithm.ES256, claims().build());
    assertThat(get("/api/x", "Authorization", "Bearer " + fresh).statusCode()).isEqualTo(200);

    jwks.rotate(TestKeys.jwks(ROTATED_IN));
    String renamed = TestKeys.sign(RSA, JWSAlgorithm.RS256, claims().subject("bob").build(), h -> h.keyID("rsa-retired"));
    assertThat(get("/api/x", "Authorization", "Bearer " + renamed).statusCode()).isEqualTo(401);
    String oldKid = rs256(claims().subject("carol").build());
    assertThat(get("/api/x", "Authorization", "Bearer " + oldKid).statusCode()).isEqualTo(401);

    jwks.rotate(TestKeys.jwks(RSA, ROTATED_IN)); // back as it was for the other tests
    assertThat(get("/api/x", "Authorization", "Bearer " + rs256(claims().subject("dave").build())).statusCode()).isEqualTo(200);
  }

  @Test
  void whileTheJwksServerIsDownKnownKeysStillVerify() throws Exception {
    jwks.down(true);
    try {
      String unknown = TestKeys.sign(TestKeys.ATTACKER_RSA, JWSAlgorithm.RS256, claims().build(), h -> h.keyID("not-there"));
      assertThat(get("/api/x", "Authorization", "Bearer " + unknown).statusCode()).isEqualTo(401); // a refresh that fails

      String token = rs256(claims().subject("erin").build());
      assertThat(get("/api/x", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
    } finally {
      jwks.down(false);
    }
  }
}
