package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.config.ConfigLoader;
import io.sluice.config.Endpoint;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP health checks in a running gateway, in front of real HTTP/1.1 upstreams on loopback. */
@ExtendWith(NoLeaksExtension.class)
class HttpHealthCheckTest {

  /** Upstream {@code users} over endpoints A and B, checked every 50ms; every path is routed to it. */
  private static final String CONFIG = """
      server:
        listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
        event_loops: 1
      upstreams:
        users:
          endpoints: ["http://127.0.0.1:${A}", "http://127.0.0.1:${B}"]
          health_check: { path: $PATH, interval: 50ms, timeout: 2s, healthy_threshold: 2, unhealthy_threshold: 2 }
      routes:
        - { id: all, match: { path: /** }, upstream: users }
      """;

  private TestUpstream a;
  private TestUpstream b;
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  private void start(int portA, int portB, String path) throws Exception {
    gateway = Gateway.start(CONFIG.replace("$PATH", path), Map.of("A", String.valueOf(portA), "B", String.valueOf(portB)));
  }

  private EndpointHealth health() {
    return gateway.server().snapshot().upstream("users").health();
  }

  private static Endpoint endpoint(int port) {
    return new Endpoint("http", "127.0.0.1", port);
  }

  /** Sends {@code count} requests through the gateway; each must be answered by an upstream. */
  private void send(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response = gateway.send("GET", "/api/" + i);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  @Test
  void trafficAvoidsAnEndpointFailingItsChecksAndReturnsWhenItPassesAgain() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    start(a.port(), b.port(), "/healthz");
    Poll.until("both endpoints probed", () -> a.requestsFor("/healthz") > 0 && b.requestsFor("/healthz") > 0);

    b.healthStatus(503);
    Poll.until("B unhealthy", () -> health().healthy().equals(List.of(endpoint(a.port()))), () -> health().healthy().toString());
    assertThat(gateway.server().meters().get("sluice.upstream.endpoints.healthy").tag("upstream", "users").gauge().value())
        .as("the healthy-endpoints gauge").isEqualTo(1);
    long trafficA = a.requestsExcept("/healthz");
    long trafficB = b.requestsExcept("/healthz");
    send(10);

    assertThat(a.requestsExcept("/healthz") - trafficA).isEqualTo(10);
    assertThat(b.requestsExcept("/healthz")).isEqualTo(trafficB);

    b.healthStatus(200);
    Poll.until("B healthy again", () -> health().healthy().size() == 2, () -> health().healthy().toString());
    assertThat(gateway.server().meters().get("sluice.upstream.endpoints.healthy").tag("upstream", "users").gauge().value())
        .isEqualTo(2);
    send(10);

    assertThat(a.requestsExcept("/healthz") - trafficA).isEqualTo(15);
    assertThat(b.requestsExcept("/healthz") - trafficB).isEqualTo(5);
  }

  @Test
  void probesAreGetsWithTheEndpointAsHost() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    start(a.port(), b.port(), "\"/healthz?deep=1\"");
    Poll.until("A probed", () -> a.requestsFor("/healthz") > 0);

    io.netty.handler.codec.http.HttpRequest probe = a.requests().stream()
        .filter(r -> r.uri().startsWith("/healthz")).findFirst().orElseThrow();
    assertThat(probe.method().name()).isEqualTo("GET");
    assertThat(probe.uri()).isEqualTo("/healthz?deep=1");
    assertThat(probe.headers().get("host")).isEqualTo("127.0.0.1:" + a.port());
    assertThat(probe.headers().get("user-agent")).isEqualTo("sluice-health-check");
  }

  @Test
  void theStatusAloneDecidesWhateverTheBodyDoes() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    // promises a megabyte, sends 10 bytes and closes: the status (200) was all the check needed
    start(a.port(), b.port(), "\"/die?after=10\"");

    Poll.until("three probes of each", () -> a.requestsFor("/die") >= 3 && b.requestsFor("/die") >= 3);

    assertThat(health().healthy()).hasSize(2);
  }

  @Test
  void anEndpointThatRefusesConnectionsIsMarkedUnhealthy() throws Exception {
    a = new TestUpstream();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    start(a.port(), closedPort, "/healthz");

    Poll.until("the closed port unhealthy", () -> health().healthy().equals(List.of(endpoint(a.port()))),
        () -> health().healthy().toString());
    long traffic = a.requestsExcept("/healthz");
    send(6); // without the check, every other request would fail with 502

    assertThat(a.requestsExcept("/healthz") - traffic).isEqualTo(6);
  }

  @Test
  void whenEveryEndpointFailsItsChecksRequestsStillGoToAll() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    a.healthStatus(500);
    b.healthStatus(503);
    start(a.port(), b.port(), "/healthz");

    Poll.until("all unhealthy", () -> health().isFailingOpen());
    long trafficA = a.requestsExcept("/healthz");
    long trafficB = b.requestsExcept("/healthz");
    send(10);

    assertThat(health().healthy()).isEmpty();
    assertThat(a.requestsExcept("/healthz") - trafficA).isEqualTo(5);
    assertThat(b.requestsExcept("/healthz") - trafficB).isEqualTo(5);
  }

  @Test
  void closingTheGatewayStopsTheChecksAndClosesTheirConnections() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    // A answers its probes at once; B's probe (/slow, 60s) is still waiting when the gateway closes
    gateway = Gateway.start("""
        server:
          listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          fast: { endpoints: ["http://127.0.0.1:${A}"], health_check: { path: /healthz, interval: 50ms } }
          stalled: { endpoints: ["http://127.0.0.1:${B}"], health_check: { path: "/slow?ms=60000", timeout: 30s } }
        routes: []
        """, Map.of("A", String.valueOf(a.port()), "B", String.valueOf(b.port())));
    Poll.until("A probed a few times", () -> a.requestsFor("/healthz") >= 3);
    Poll.until("B's probe waiting", () -> b.requestsFor("/slow") == 1 && b.openConnections() == 1);

    gateway.close();
    gateway = null;

    Poll.until("the probe connections closed", () -> a.openConnections() == 0 && b.openConnections() == 0);
    long probes = a.requestsFor("/healthz");
    Thread.sleep(300); // six intervals: proving that nothing comes takes waiting
    assertThat(a.requestsFor("/healthz")).isEqualTo(probes);
    assertThat(a.openConnections()).isZero();
    assertThat(b.requestsFor("/slow")).isEqualTo(1);
  }

  @Test
  void publishingANewConfigMovesTheChecksToIt() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    Map<String, String> env = Map.of("A", String.valueOf(a.port()), "B", String.valueOf(b.port()));
    gateway = Gateway.start(CONFIG.replace("$PATH", "/old"), env);
    Poll.until("the old path probed", () -> a.requestsFor("/old") > 0);
    PluginRegistry plugins = PluginRegistry.discover(List.of());
    GatewaySnapshot next = GatewaySnapshot.compile(
        ConfigLoader.parse(CONFIG.replace("$PATH", "/healthz"), "test.yaml", env::get, plugins.catalog()), plugins,
        new SimpleMeterRegistry());

    gateway.server().publish(next);

    Poll.until("the new path probed", () -> a.requestsFor("/healthz") > 0 && b.requestsFor("/healthz") > 0);
    // Both waits prove that something does not happen, so they are waits: a probe of the old path sent
    // just before the switch may still be on its way; after that, six intervals without one.
    Thread.sleep(200);
    long oldProbes = a.requestsFor("/old") + b.requestsFor("/old");
    Thread.sleep(300);
    assertThat(a.requestsFor("/old") + b.requestsFor("/old")).isEqualTo(oldProbes);
  }
}
