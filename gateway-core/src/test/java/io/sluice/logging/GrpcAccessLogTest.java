package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JSON access-log lines of gRPC calls through a real gateway to a grpc-java server. */
class GrpcAccessLogTest {

  static GrpcTestServer server;
  static Gateway gateway;
  static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = GrpcTestServer.start();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: grpc-in, bind: 127.0.0.1, port: 0 } ]
          access_log: { format: json }
        upstreams:
          grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
        routes:
          - { id: echo, match: { path: "/test.Echo/*" }, upstream: grpc }
        """, Map.of("GRPC", String.valueOf(server.port())));
    client = GrpcTestClient.plaintext("127.0.0.1", gateway.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    gateway.close();
    server.close();
  }

  @Test
  void aCallIsLoggedWithTheStatusFromTheUpstreamsTrailers() throws Exception {
    Metadata headers = new Metadata();
    headers.put(EchoService.X_STATUS, "5");
    headers.put(EchoService.X_MESSAGE, "no such item");
    GrpcResult failed = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {1, 2, 3}));
    assertThat(failed.status().getCode()).isEqualTo(Status.Code.NOT_FOUND);

    JsonNode line = gateway.accessLogLine("/test.Echo/Unary");
    assertThat(line.get("protocol").asText()).isEqualTo("gRPC");
    assertThat(line.get("listener").asText()).isEqualTo("grpc-in");
    assertThat(line.get("method").asText()).isEqualTo("POST");
    assertThat(line.get("route").asText()).isEqualTo("echo");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("grpc_status").asInt()).isEqualTo(5);
    assertThat(line.get("bytes_in").asLong()).isEqualTo(5 + 3); // one length-prefixed message
    assertThat(line.get("upstream").asText()).isEqualTo("127.0.0.1:" + server.port());
    assertThat(line.has("error_code")).isFalse();
  }

  @Test
  void aCallTheGatewayRefusesIsLoggedWithItsGrpcStatus() throws Exception {
    MethodDescriptor<byte[], byte[]> unknown = EchoService.UNARY.toBuilder().setFullMethodName("other.Service/Call").build();
    GrpcResult refused = client.call(unknown, List.of(new byte[] {1}));
    assertThat(refused.status().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);

    JsonNode line = gateway.accessLogLine("/other.Service/Call");
    assertThat(line.get("protocol").asText()).isEqualTo("gRPC");
    assertThat(line.get("error_code").asText()).isEqualTo("NO_ROUTE");
    assertThat(line.get("grpc_status").asInt()).isEqualTo(Status.Code.UNIMPLEMENTED.value());
    assertThat(line.get("attempts").asInt()).isZero();
  }
}
