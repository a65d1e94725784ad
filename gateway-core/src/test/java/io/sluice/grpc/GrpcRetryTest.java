package io.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A unary gRPC call answered UNAVAILABLE by one of two grpc-java servers is retried on the other
 * ({@code retry: { on: [unavailable] }}): its request message, sent without a length, was kept.
 */
@ExtendWith(NoLeaksExtension.class)
class GrpcRetryTest {

  @Test
  void aCallAnsweredUnavailableIsRetriedOnTheOtherServer() throws Exception {
    try (GrpcTestServer failing = GrpcTestServer.start(); GrpcTestServer healthy = GrpcTestServer.start();
        Gateway gateway = Gateway.start("""
            server:
              listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
              event_loops: 1
            upstreams:
              grpc: { endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}" ], protocol: h2c }
            routes:
              - id: retried
                match: { path: /test.Echo/Unary }
                upstream: grpc
                retry: { attempts: 2, on: [unavailable] }
              - id: not-retried
                match: { path: "/test.Echo/*" }
                upstream: grpc
            """, Map.of("A", String.valueOf(failing.port()), "B", String.valueOf(healthy.port())));
        GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", gateway.port())) {
      failing.failUnary(Status.UNAVAILABLE.withDescription("draining"));

      for (int i = 0; i < 6; i++) {
        byte[] message = {1, 2, (byte) i};
        GrpcResult result = client.call(EchoService.UNARY, List.of(message));
        assertThat(result.status().getCode()).as("call %d", i).isEqualTo(Status.Code.OK);
        assertThat(result.messages()).containsExactly(message);
      }

      assertThat(failing.calls().value()).isEqualTo(3);
      assertThat(healthy.calls().value()).isEqualTo(6);
    }
  }
}
