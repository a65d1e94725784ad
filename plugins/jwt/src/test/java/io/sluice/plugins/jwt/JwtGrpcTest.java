package io.sluice.plugins.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A gRPC service behind a JWT-protected route: gRPC callers get gRPC statuses, never an HTTP error page. */
class JwtGrpcTest {

  static GrpcTestServer server;
  static Gateway gateway;
  static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = GrpcTestServer.start();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
        routes:
          - id: echo
            match: { path: "/test.Echo/*" }
            upstream: grpc
            plugins:
              - jwt:
                  issuers: [ { issuer: https://hmac.test, secrets: [ "${JWT_SECRET}" ], algorithms: [HS256], audiences: [echo] } ]
        """, Map.of("GRPC", String.valueOf(server.port()), "JWT_SECRET", TestKeys.SECRET));
    client = GrpcTestClient.plaintext("127.0.0.1", gateway.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    gateway.close();
    server.close();
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(EchoService.ascii("authorization"), "Bearer " + token);
    return headers;
  }

  private static String token(Instant expires) {
    return TestKeys.hmac(TestKeys.SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256, new JWTClaimsSet.Builder()
        .issuer("https://hmac.test").audience("echo").subject("svc-billing").expirationTime(Date.from(expires)).build());
  }

  @Test
  void aCallWithoutATokenIsUnauthenticatedAndNeverReachesTheService() throws Exception {
    int calls = server.calls().value();

    GrpcResult result = client.call(EchoService.UNARY, List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(result.status().getDescription()).isNotBlank();
    assertThat(server.calls().value()).isEqualTo(calls);
  }

  @Test
  void anExpiredTokenIsUnauthenticated() throws Exception {
    GrpcResult result = client.withHeaders(bearer(token(Instant.now().minusSeconds(3600))))
        .call(EchoService.UNARY, List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void aValidTokenPassesAndStreamsWork() throws Exception {
    GrpcTestClient authorized = client.withHeaders(bearer(token(Instant.now().plusSeconds(3600))));

    assertThat(authorized.unary(new byte[] {4, 2})).containsExactly(4, 2);
    GrpcResult streamed = authorized.call(EchoService.SERVER_STREAM, List.of(new byte[] {3}));
    assertThat(streamed.status().isOk()).isTrue();
    assertThat(streamed.messages()).hasSize(3);
  }
}
