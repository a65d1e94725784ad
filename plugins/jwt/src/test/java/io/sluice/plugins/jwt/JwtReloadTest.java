package io.sluice.plugins.jwt;

import static io.sluice.plugins.jwt.TestKeys.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A config reload keeps the keys a jwt plugin fetched when its own config did not change, and only then. */
class JwtReloadTest {

  private static String config(String otherBody, String forwardedHeader) {
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: other, match: { path: /other }, respond: { status: 200, body: "%s" } }
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins:
              - jwt:
                  issuers: [ { issuer: "${ISSUER}", jwks_uri: "${JWKS}", algorithms: [RS256], audiences: [api] } ]
                  forward_claims: { sub: %s }
        """.formatted(otherBody, forwardedHeader);
  }

  private static String token(String subject) {
    return "Bearer " + TestKeys.sign(JwtGatewayTest.RSA, JWSAlgorithm.RS256, JwtGatewayTest.claims().subject(subject).build());
  }

  @Test
  void fetchedKeysSurviveAnUnrelatedChangeAndAreFetchedAgainAfterTheirOwn() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        JwksServer jwks = new JwksServer(TestKeys.jwks(JwtGatewayTest.RSA))) {
      Map<String, String> env = Map.of("UPSTREAM", String.valueOf(upstream.port()), "ISSUER", ISSUER, "JWKS", jwks.uri());
      try (Gateway gateway = Gateway.start(config("a", "x-user-id"), env)) {
        assertThat(gateway.send("GET", "/api/x", "Authorization", token("alice")).statusCode()).isEqualTo(200);
        assertThat(jwks.hits()).isEqualTo(1);

        jwks.down(true); // from now on only keys already held can verify
        gateway.reload(config("b", "x-user-id"), env);
        assertThat(gateway.send("GET", "/other").body()).isEqualTo("b");
        assertThat(gateway.send("GET", "/api/x", "Authorization", token("bob")).statusCode()).isEqualTo(200);
        assertThat(jwks.hits()).isEqualTo(1);

        jwks.down(false);
        gateway.reload(config("b", "x-subject"), env); // the plugin's own config changed: a fresh instance
        assertThat(gateway.send("GET", "/api/x", "Authorization", token("carol")).statusCode()).isEqualTo(200);
        assertThat(jwks.hits()).isEqualTo(2);
        assertThat(upstream.requests().getLast().headers().get("x-subject")).isEqualTo("carol");
      }
    }
  }
}
