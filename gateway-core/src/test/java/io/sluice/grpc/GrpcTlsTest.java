package io.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.TestCertificates;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** gRPC clients over TLS (HTTP/2 by ALPN) to the gateway, which calls a clear-text (h2c) gRPC server. */
@ExtendWith(NoLeaksExtension.class)
class GrpcTlsTest {

  @TempDir
  Path dir;

  @Test
  void grpcOverTlsWithAlpnReachesAnH2cService() throws Exception {
    TestCertificates certs = TestCertificates.newCa(dir);
    certs.serverEc("server", "grpc.example.com");
    try (GrpcTestServer server = GrpcTestServer.start();
        Gateway gateway = Gateway.start("""
            server:
              listeners:
                - name: secure
                  bind: 127.0.0.1
                  port: 0
                  protocols: [h2]
                  tls: { cert: "${DIR}/server.pem", key: "${DIR}/server.key" }
            upstreams:
              grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
            routes:
              - { id: echo, match: { path: "/test.Echo/*" }, upstream: grpc }
            """, Map.of("DIR", dir.toString(), "GRPC", String.valueOf(server.port())));
        GrpcTestClient client = GrpcTestClient.builder("127.0.0.1", gateway.port())
            .tls(certs.file("ca.pem")).authority("grpc.example.com").build()) {

      assertThat(client.unary(new byte[] {9, 9})).containsExactly(9, 9);
      GrpcResult missing = client.call(EchoService.UNARY.toBuilder().setFullMethodName("test.Other/Unary").build(),
          List.of(new byte[] {1}));
      assertThat(missing.status().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
      assertThat(server.lastHeaders().get(EchoService.ascii("x-forwarded-proto"))).isEqualTo("https");
    }
  }
}
