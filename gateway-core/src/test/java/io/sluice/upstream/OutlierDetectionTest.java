package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.config.Endpoint;
import io.sluice.testing.Gateway;
import io.sluice.testing.LogCapture;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Passive outlier detection ({@code outlier_detection:}) with real upstreams that answer 503 or
 * refuse connections on command, and no health check: endpoints failing requests are ejected,
 * get no requests while ejected, and return after the ejection time; never more than
 * {@code max_ejection_percent} of them are out. One event loop and round robin fix the order.
 */
class OutlierDetectionTest {

  private static Gateway gateway(List<Integer> ports, String detection) throws Exception {
    StringBuilder endpoints = new StringBuilder();
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < ports.size(); i++) {
      endpoints.append(i == 0 ? "" : ", ").append("\"http://127.0.0.1:${P").append(i).append("}\"");
      env.put("P" + i, String.valueOf(ports.get(i)));
    }
    return Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          pool:
            endpoints: [ %s ]
            outlier_detection: %s
        routes:
          - { id: all, match: { path: /** }, upstream: pool }
        """.formatted(endpoints, detection), env);
  }

  private static OutlierDetector detector(Gateway gateway) {
    return gateway.server().snapshot().upstream("pool").outliers();
  }

  private static Endpoint endpoint(int port) {
    return new Endpoint("http", "127.0.0.1", port);
  }

  private static double ejectedGauge(Gateway gateway) {
    return gateway.server().meters().find("sluice.upstream.endpoints.ejected").tag("upstream", "pool").gauge().value();
  }

  @Test
  void anEndpointAnswering5xxIsEjectedAndReturnsAfterTheEjectionTime() throws Exception {
    try (TestUpstream failing = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        LogCapture log = LogCapture.start(OutlierDetector.class.getName());
        Gateway gateway = gateway(List.of(failing.port(), healthy.port()),
            "{ consecutive_5xx: 3, base_ejection_time: 1s, max_ejection_percent: 50, interval: 1m }")) {
      failing.echoStatus(503);
      OutlierDetector detector = detector(gateway);
      for (int i = 0; i < 6; i++) {
        gateway.send("GET", "/a");
      }
      Poll.until("the failing endpoint ejected", () -> detector.isEjected(endpoint(failing.port())));
      assertThat(failing.requestsFor("/a")).isEqualTo(3);
      assertThat(ejectedGauge(gateway)).isEqualTo(1.0);

      long before = failing.requestsFor("/b");
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6 && detector.isEjected(endpoint(failing.port())); i++) {
        statuses.add(gateway.send("GET", "/b").statusCode());
      }
      assertThat(statuses).isNotEmpty().containsOnly(200);
      assertThat(failing.requestsFor("/b")).isEqualTo(before);

      failing.echoStatus(200);
      Poll.until("the endpoint back after its ejection time", () -> !detector.isEjected(endpoint(failing.port())));
      assertThat(ejectedGauge(gateway)).isZero();
      for (int i = 0; i < 4; i++) {
        assertThat(gateway.send("GET", "/c").statusCode()).isEqualTo(200);
      }
      assertThat(failing.requestsFor("/c")).isEqualTo(2);

      failing.echoStatus(503); // fails again: the next ejection counts double
      for (int i = 0; i < 6; i++) {
        gateway.send("GET", "/d");
      }
      Poll.until("ejected a second time", () -> detector.isEjected(endpoint(failing.port())));
      assertThat(detector.ejections(endpoint(failing.port()))).isEqualTo(2);
      assertThat(gateway.server().meters().find("sluice.upstream.ejections").tags("upstream", "pool", "reason", "consecutive_5xx")
          .counter().count()).isEqualTo(2);
      assertThat(log.containing("ejected for")).hasSize(2);
      assertThat(log.containing("ejected for 2s (3 failed requests (5xx, reset or timeout) in a row; ejection 2")).hasSize(1);
      assertThat(log.containing("back in service")).hasSize(1);
    }
  }

  @Test
  void aDeadEndpointIsEjectedAfterConnectFailuresSoClientsStopSeeingErrors() throws Exception {
    int dead;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = socket.getLocalPort();
    }
    try (TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(List.of(dead, healthy.port()), "{ consecutive_connect_failures: 2, base_ejection_time: 1m }")) {
      List<Integer> first = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        first.add(gateway.send("GET", "/x").statusCode());
      }
      assertThat(first).containsExactly(502, 200, 502, 200);
      Poll.until("the dead endpoint ejected", () -> detector(gateway).isEjected(endpoint(dead)));

      for (int i = 0; i < 10; i++) {
        assertThat(gateway.send("GET", "/y").statusCode()).isEqualTo(200);
      }
      assertThat(healthy.requestsFor("/y")).isEqualTo(10);

      try (AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/admin/upstreams")).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode pool = new ObjectMapper().readTree(answer.body()).at("/upstreams/pool");
        assertThat(pool.at("/outlier_detection/ejected").asInt()).isEqualTo(1);
        assertThat(pool.at("/outlier_detection/max_ejected").asInt()).isEqualTo(1);
        assertThat(pool.at("/endpoints/0/ejected").asBoolean()).isTrue();
        assertThat(pool.at("/endpoints/0/ejections").asInt()).isEqualTo(1);
        assertThat(pool.at("/endpoints/0/healthy").asBoolean()).isTrue(); // no health check: ejection is its own state
        assertThat(pool.at("/endpoints/1/ejected").asBoolean()).isFalse();
      }
    }
  }

  @Test
  void aReloadKeepsTheEjectionsOfAnUnchangedUpstreamAndAChangedOneStartsAfresh() throws Exception {
    try (TestUpstream failing = new TestUpstream(); TestUpstream healthy = new TestUpstream()) {
      String detection = "{ consecutive_5xx: 2, base_ejection_time: 1m, max_ejection_percent: 50 }";
      Map<String, String> env = Map.of("P0", String.valueOf(failing.port()), "P1", String.valueOf(healthy.port()));
      try (Gateway gateway = gateway(List.of(failing.port(), healthy.port()), detection)) {
        failing.echoStatus(503);
        for (int i = 0; i < 4; i++) {
          gateway.send("GET", "/r");
        }
        Poll.until("ejected", () -> detector(gateway).isEjected(endpoint(failing.port())));
        OutlierDetector before = detector(gateway);

        gateway.reload(reloaded(detection, "- { id: extra, match: { path: /extra }, respond: { status: 204 } }"), env);
        assertThat(detector(gateway)).isSameAs(before);
        assertThat(detector(gateway).isEjected(endpoint(failing.port()))).isTrue();
        for (int i = 0; i < 4; i++) {
          assertThat(gateway.send("GET", "/r").statusCode()).isEqualTo(200);
        }

        gateway.reload(reloaded("{ consecutive_5xx: 3, base_ejection_time: 1m, max_ejection_percent: 50 }", ""), env);
        assertThat(detector(gateway)).isNotSameAs(before);
        assertThat(detector(gateway).ejectedCount()).isZero();
        assertThat(ejectedGauge(gateway)).as("the gauge reads the new detector").isZero();
      }
    }
  }

  private static String reloaded(String detection, String extraRoute) {
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
        upstreams:
          pool:
            endpoints: [ "http://127.0.0.1:${P0}", "http://127.0.0.1:${P1}" ]
            outlier_detection: %s
        routes:
          - { id: all, match: { path: /** }, upstream: pool }
          %s
        """.formatted(detection, extraRoute);
  }

  @Test
  void noMoreThanMaxEjectionPercentOfTheEndpointsAreEjected() throws Exception {
    List<TestUpstream> upstreams = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        upstreams.add(new TestUpstream());
      }
      for (int i = 0; i < 3; i++) {
        upstreams.get(i).echoStatus(503); // three of four fail
      }
      try (Gateway gateway = gateway(upstreams.stream().map(TestUpstream::port).toList(),
          "{ consecutive_5xx: 2, base_ejection_time: 1m, max_ejection_percent: 50 }")) {
        OutlierDetector detector = detector(gateway);
        assertThat(detector.maxEjected()).isEqualTo(2);
        for (int i = 0; i < 16; i++) {
          gateway.send("GET", "/m");
        }
        Poll.until("two endpoints ejected", () -> detector.ejectedCount() == 2);
        for (int i = 0; i < 20; i++) {
          gateway.send("GET", "/n");
        }

        assertThat(detector.ejectedCount()).isEqualTo(2);
        assertThat(detector.isEjected(endpoint(upstreams.get(3).port()))).isFalse();
        long failingServing = upstreams.subList(0, 3).stream().filter(u -> u.requestsFor("/n") > 0).count();
        assertThat(failingServing).as("the one failing endpoint left in service").isEqualTo(1);
        assertThat(upstreams.get(3).requestsFor("/n")).isEqualTo(10);
      }
    } finally {
      upstreams.forEach(TestUpstream::close);
    }
  }

  @Test
  void anEndpointWhoseFailurePercentageIsTooHighIsEjectedAtTheInterval() throws Exception {
    try (TestUpstream flaky = new TestUpstream(); TestUpstream healthy = new TestUpstream();
        Gateway gateway = gateway(List.of(flaky.port(), healthy.port()), """
            { consecutive_5xx: 0, consecutive_connect_failures: 0, interval: 2s, base_ejection_time: 1m,
              max_ejection_percent: 50, failure_percentage: { threshold: 50, minimum_hosts: 2, request_volume: 5 } }""")) {
      flaky.echoStatus(503);
      OutlierDetector detector = detector(gateway);
      for (int i = 0; i < 12 && !detector.isEjected(endpoint(flaky.port())); i++) {
        gateway.send("GET", "/f");
      }
      Poll.until("the endpoint failing every request ejected", () -> detector.isEjected(endpoint(flaky.port())));
      assertThat(detector.isEjected(endpoint(healthy.port()))).isFalse();
      assertThat(gateway.server().meters().find("sluice.upstream.ejections").tags("upstream", "pool", "reason", "failure_percentage")
          .counter().count()).isEqualTo(1);
    }
  }
}
