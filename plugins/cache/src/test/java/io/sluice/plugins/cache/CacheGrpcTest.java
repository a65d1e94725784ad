package io.sluice.plugins.cache;

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

/** gRPC calls pass a route with the cache untouched: every call reaches the service, and no Cache-Status is added. */
@ExtendWith(NoLeaksExtension.class)
class CacheGrpcTest {

  @Test
  void grpcCallsAreNeverCached() throws Exception {
    GrpcTestServer server = GrpcTestServer.start();
    try (Gateway gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
        routes:
          - id: echo
            match: { path: "/test.Echo/*" }
            upstream: grpc
            plugins: [ { cache: { default_ttl: 1h } } ]
        """, Map.of("GRPC", String.valueOf(server.port())));
        GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", gateway.port())) {
      GrpcResult first = client.call(EchoService.UNARY, List.of(new byte[] {7}));
      GrpcResult second = client.call(EchoService.UNARY, List.of(new byte[] {7}));

      assertThat(first.status().getCode()).isEqualTo(Status.Code.OK);
      assertThat(second.status().getCode()).isEqualTo(Status.Code.OK);
      assertThat(server.calls().value()).isEqualTo(2);
      assertThat(second.header("cache-status")).isNull();
    } finally {
      server.close();
    }
  }
}
