package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.Poll;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.TestUpstream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real gateway in front of a real upstream: after traffic, {@code GET /metrics} on the admin
 * listener is scraped over HTTP, parsed strictly, and its series are checked against what was sent.
 */
class MetricsScrapeTest {

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A route to a real upstream with a plugin that rejects on request, and one the gateway answers itself. */
  static final String CONFIG = """
      server:
        listeners: [ { name: public, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - { id: version, match: { path: /version }, respond: { status: 200, body: "v1" } }
        - id: api
          match: { path: /api/** }
          upstream: backend
          plugins: [ { test_deny: {} } ]
      """;

  static PrometheusText scrape(AdminServer admin) throws Exception {
    return PrometheusText.scrape(admin.port());
  }

  private static HttpResponse<String> send(Gateway gateway, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requestsAreCountedByRouteMethodStatusClassAndUpstreamWithoutRawPaths() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())));
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      long forwardedBodyBytes = 0;
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> ok = send(gateway, "GET", "/api/items/" + i, null);
        assertThat(ok.statusCode()).isEqualTo(200);
        forwardedBodyBytes += ok.body().length();
      }
      String upload = "x".repeat(1000);
      for (int i = 0; i < 2; i++) {
        forwardedBodyBytes += send(gateway, "POST", "/api/orders/" + i, upload).body().length();
      }
      HttpResponse<String> brewed = send(gateway, "BREW", "/api/coffee", null);
      assertThat(brewed.statusCode()).isEqualTo(200);
      forwardedBodyBytes += brewed.body().length();
      assertThat(send(gateway, "GET", "/api/secret", null, "x-deny", "1").statusCode()).isEqualTo(403);
      assertThat(send(gateway, "GET", "/nowhere/at/all", null).statusCode()).isEqualTo(404);
      assertThat(send(gateway, "GET", "/version", null).body()).isEqualTo("v1");
      Poll.until("no exchange in flight", () -> gateway.server().activeExchanges() == 0);

      PrometheusText metrics = scrape(admin);

      assertThat(metrics.types()).containsEntry("sluice_requests_total", "counter")
          .containsEntry("sluice_request_duration_seconds", "histogram")
          .containsEntry("sluice_upstream_response_seconds", "histogram")
          .containsEntry("sluice_upstream_connect_seconds", "histogram");
      String requests = "sluice_requests_total";
      assertThat(metrics.value(requests, "route", "api", "method", "GET", "status_class", "2xx", "upstream", "backend"))
          .isEqualTo(5);
      assertThat(metrics.value(requests, "route", "api", "method", "POST", "status_class", "2xx", "upstream", "backend"))
          .isEqualTo(2);
      assertThat(metrics.value(requests, "route", "api", "method", "OTHER", "status_class", "2xx", "upstream", "backend"))
          .isEqualTo(1);
      assertThat(metrics.value(requests, "route", "api", "method", "GET", "status_class", "4xx", "upstream", "none"))
          .isEqualTo(1);
      assertThat(metrics.value(requests, "route", "-", "method", "GET", "status_class", "4xx", "upstream", "none"))
          .isEqualTo(1);
      assertThat(metrics.value(requests, "route", "version", "method", "GET", "status_class", "2xx", "upstream", "none"))
          .isEqualTo(1);
      assertThat(metrics.samples(requests).stream().mapToDouble(PrometheusText.Sample::value).sum()).isEqualTo(11);

      // the histogram: a count per series equal to its requests, and the configured buckets
      Map<String, String> getOk = Map.of("route", "api", "method", "GET", "status_class", "2xx", "upstream", "backend");
      assertThat(metrics.value("sluice_request_duration_seconds_count", getOk)).isEqualTo(5);
      assertThat(metrics.value("sluice_request_duration_seconds_sum", getOk)).isGreaterThan(0);
      assertThat(metrics.samples("sluice_request_duration_seconds_bucket").stream()
          .filter(s -> s.labels().entrySet().containsAll(getOk.entrySet())).map(s -> s.labels().get("le")))
          .containsExactly("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
              "10.0", "+Inf");

      assertThat(metrics.value("sluice_request_body_bytes_total", "route", "api", "upstream", "backend")).isEqualTo(2000);
      assertThat(metrics.value("sluice_response_body_bytes_total", "route", "api", "upstream", "backend"))
          .isEqualTo(forwardedBodyBytes);
      assertThat(metrics.value("sluice_response_body_bytes_total", "route", "version", "upstream", "none")).isEqualTo(2);
      assertThat(metrics.value("sluice_upstream_response_seconds_count", "upstream", "backend")).isEqualTo(8);
      assertThat(metrics.value("sluice_upstream_connect_seconds_count", "upstream", "backend"))
          .isBetween(1.0, (double) upstream.connections());

      assertThat(metrics.value("sluice_plugin_rejections_total", "route", "api", "plugin", "test_deny", "code", "FORBIDDEN"))
          .isEqualTo(1);
      assertThat(metrics.samples("sluice_plugin_rejections_total")).hasSize(1);

      // bounded labels: no raw path, and only the known values of each request label
      for (PrometheusText.Sample sample : metrics.samples()) {
        assertThat(sample.labels().values()).as(sample.toString()).noneMatch(value -> value.startsWith("/"));
      }
      for (PrometheusText.Sample sample : metrics.samples(requests)) {
        assertThat(sample.labels().keySet()).containsExactly("method", "route", "status_class", "upstream");
        assertThat(sample.labels().get("route")).isIn("api", "version", "-");
        assertThat(sample.labels().get("status_class")).isIn("2xx", "4xx");
      }
    }
  }

  @Test
  void gcMetersListenOnlyOnceSomethingCanScrapeThem() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())))) {
      // without an admin listener no one reads them, and each collection would cost a JDK notification
      assertThat(gateway.server().meters().find("jvm.gc.memory.allocated").counter()).isNull();
      assertThat(gateway.server().meters().find("jvm.memory.used").gauges()).isNotEmpty();
      try (AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
        assertThat(gateway.server().meters().find("jvm.gc.memory.allocated").counter()).isNotNull();
        assertThat(scrape(admin).has("jvm_gc_memory_allocated_bytes_total")).isTrue();
      }
    }
  }

  @Test
  void jvmProcessAndNettyAllocatorMetersAreExported() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())));
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      send(gateway, "GET", "/api/warm", null);
      PrometheusText metrics = scrape(admin);
      assertThat(metrics.has("jvm_memory_used_bytes", "area", "heap")).isTrue();
      assertThat(metrics.has("jvm_gc_memory_allocated_bytes_total")).isTrue();
      assertThat(metrics.value("jvm_threads_live_threads")).isPositive();
      assertThat(metrics.value("process_uptime_seconds")).isPositive();
      assertThat(metrics.has("process_cpu_usage")).isTrue();
      assertThat(metrics.has("process_files_open_files")).isTrue();
      // the allocator the connections use has buffers out for the upstream and client connections' reads
      assertThat(metrics.samples("netty_allocator_memory_used").stream()
          .filter(s -> "direct".equals(s.labels().get("memory_type"))).mapToDouble(PrometheusText.Sample::value).sum())
          .isPositive();
    }
  }

  @Test
  void openConnectionsAndHttp2StreamsAreGaugedByListenerAndProtocol() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())));
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      String connections = "sluice_connections_active";
      assertThat(scrape(admin).value(connections, "listener", "public", "protocol", "http1")).isZero();
      assertThat(scrape(admin).value(connections, "listener", "public", "protocol", "h2")).isZero();

      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        socket.getOutputStream().write("GET /version HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        Poll.until("an HTTP/1.1 connection counted",
            () -> gauge(admin, connections, "listener", "public", "protocol", "http1") == 1);
      }
      Poll.until("the closed connection no longer counted",
          () -> gauge(admin, connections, "listener", "public", "protocol", "http1") == 0);

      try (H2Client client = H2Client.h2c(gateway.port())) {
        H2Client.Stream stream = client.open("POST", "/api/upload", Map.of(), false);
        Poll.until("an HTTP/2 connection and its stream counted",
            () -> gauge(admin, connections, "listener", "public", "protocol", "h2") == 1
                && gauge(admin, "sluice_http2_streams_active") == 1);
        stream.send("body".getBytes(), true);
        assertThat(stream.response().get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
        Poll.until("the ended stream no longer counted", () -> gauge(admin, "sluice_http2_streams_active") == 0);
      }
      Poll.until("the closed HTTP/2 connection no longer counted",
          () -> gauge(admin, connections, "listener", "public", "protocol", "h2") == 0);
      assertThat(scrape(admin).value("sluice_websockets_active")).isZero();

      // an HTTP/1.1 connection that upgrades to h2c moves from http1 to h2
      try (HttpClient upgrading = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
        HttpResponse<String> upgraded = upgrading.send(HttpRequest.newBuilder(gateway.uri("/version")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(upgraded.version()).isEqualTo(HttpClient.Version.HTTP_2);
        Poll.until("the upgraded connection counted as h2 only",
            () -> gauge(admin, connections, "listener", "public", "protocol", "h2") == 1
                && gauge(admin, connections, "listener", "public", "protocol", "http1") == 0);
      }
    }
  }

  @Test
  void aReloadThatRemovesARouteRemovesItsSeries() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())));
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      send(gateway, "GET", "/api/a", null);
      send(gateway, "GET", "/api/b", null, "x-deny", "1");
      send(gateway, "GET", "/version", null);
      PrometheusText before = scrape(admin);
      assertThat(before.has("sluice_requests_total", "route", "api")).isTrue();
      assertThat(before.has("sluice_plugin_request_seconds_count", "route", "api")).isTrue();
      assertThat(before.has("sluice_plugin_rejections_total", "route", "api")).isTrue();

      gateway.reload(CONFIG.replace("id: api", "id: api-v2").replace("backend", "backend2"),
          Map.of("UPSTREAM", String.valueOf(upstream.port())));
      assertThat(send(gateway, "GET", "/api/c", null).statusCode()).isEqualTo(200);

      Poll.until("the removed route's and upstream's series gone", () -> {
        PrometheusText after = scrapeQuietly(admin);
        return !after.has("sluice_requests_total", "route", "api") && !after.has("sluice_plugin_request_seconds_count", "route", "api")
            && !after.has("sluice_plugin_rejections_total", "route", "api")
            && !after.has("sluice_upstream_response_seconds_count", "upstream", "backend")
            && !after.has("sluice_upstream_connect_seconds_count", "upstream", "backend");
      });
      PrometheusText after = scrape(admin);
      assertThat(after.value("sluice_requests_total", "route", "api-v2", "method", "GET", "status_class", "2xx",
          "upstream", "backend2")).isEqualTo(1);
      // an unchanged route keeps counting where it was
      assertThat(after.value("sluice_requests_total", "route", "version", "method", "GET", "status_class", "2xx",
          "upstream", "none")).isEqualTo(1);
      send(gateway, "GET", "/version", null);
      Poll.until("the kept route counted on", () -> scrapeQuietly(admin).value("sluice_requests_total", "route", "version",
          "method", "GET", "status_class", "2xx", "upstream", "none") == 2);
    }
  }

  private static double gauge(AdminServer admin, String name, String... labels) {
    return scrapeQuietly(admin).value(name, labels);
  }

  private static PrometheusText scrapeQuietly(AdminServer admin) {
    try {
      return scrape(admin);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
