package io.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.sluice.config.Endpoint;
import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import io.sluice.upstream.EndpointHealth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * grpc.health.v1 checks of real grpc-java servers (their own {@code HealthStatusManager}) steering
 * gRPC calls made with grpc-java through the gateway.
 */
@ExtendWith(NoLeaksExtension.class)
class GrpcHealthCheckTest {

  /** Upstream {@code orders} over servers ONE and TWO, checked every 50ms; one result in either direction counts. */
  private static final String CONFIG = """
      server:
        listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
        event_loops: 1
      upstreams:
        orders:
          protocol: h2c
          endpoints: ["http://127.0.0.1:${ONE}", "http://127.0.0.1:${TWO}"]
          health_check: { type: grpc, service: $SERVICE, interval: 50ms, timeout: 2s, healthy_threshold: 1, unhealthy_threshold: 1 }
      routes:
        - { id: echo, match: { path: "/test.Echo/*" }, upstream: orders }
      """;

  private GrpcTestServer one;
  private GrpcTestServer two;
  private Gateway gateway;
  private GrpcTestClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    one.close();
    two.close();
  }

  private void start(String service) throws Exception {
    gateway = Gateway.start(CONFIG.replace("$SERVICE", service),
        Map.of("ONE", String.valueOf(one.port()), "TWO", String.valueOf(two.port())));
    client = GrpcTestClient.plaintext("127.0.0.1", gateway.port());
  }

  private EndpointHealth health() {
    return gateway.server().snapshot().upstream("orders").health();
  }

  private static Endpoint endpoint(GrpcTestServer server) {
    return new Endpoint("http", "127.0.0.1", server.port());
  }

  /** Makes {@code count} unary calls through the gateway; each must succeed. */
  private void call(int count) {
    for (int i = 0; i < count; i++) {
      assertThat(client.unary(new byte[] {(byte) i})).containsExactly((byte) i);
    }
  }

  @Test
  void aServerReportingNotServingGetsNoCallsUntilItServesAgain() throws Exception {
    one = GrpcTestServer.startWithHealth();
    two = GrpcTestServer.startWithHealth();
    start("\"\"");

    one.health().setStatus("", ServingStatus.NOT_SERVING);
    Poll.until("one unhealthy", () -> health().healthy().equals(List.of(endpoint(two))), () -> health().healthy().toString());
    call(10);

    assertThat(one.calls().value()).isZero();
    assertThat(two.calls().value()).isEqualTo(10);

    one.health().setStatus("", ServingStatus.SERVING);
    Poll.until("one healthy again", () -> health().healthy().size() == 2, () -> health().healthy().toString());
    call(10);

    assertThat(one.calls().value()).isEqualTo(5);
    assertThat(two.calls().value()).isEqualTo(15);
  }

  @Test
  void aServerWithoutTheHealthServiceIsUnhealthy() throws Exception {
    one = GrpcTestServer.start(); // answers the check with UNIMPLEMENTED
    two = GrpcTestServer.startWithHealth();
    start("\"\"");

    Poll.until("one unhealthy", () -> health().healthy().equals(List.of(endpoint(two))), () -> health().healthy().toString());
    call(4);

    assertThat(one.calls().value()).isZero();
    assertThat(two.calls().value()).isEqualTo(4);
  }

  @Test
  void theCheckAsksAboutTheConfiguredService() throws Exception {
    one = GrpcTestServer.startWithHealth();
    two = GrpcTestServer.startWithHealth();
    two.health().setStatus("test.Echo", ServingStatus.SERVING);
    start("test.Echo");

    // one does not know the service (NOT_FOUND), though it serves as a whole
    Poll.until("one unhealthy", () -> health().healthy().equals(List.of(endpoint(two))), () -> health().healthy().toString());

    one.health().setStatus("test.Echo", ServingStatus.SERVING);
    two.health().setStatus("test.Echo", ServingStatus.NOT_SERVING);
    Poll.until("the other way round", () -> health().healthy().equals(List.of(endpoint(one))), () -> health().healthy().toString());
  }
}
