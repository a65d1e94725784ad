package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.TestPlugins;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReloadTest {

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A config whose {@code /version} route answers {@code body}, with a counter on {@code /slow}. */
  private static String config(String body, String counterLabel, String otherBody) {
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
            health_check: { path: /healthz, interval: 1h }
        routes:
          - { id: version, match: { path: /version }, respond: { status: 200, body: "%s" } }
          - { id: other, match: { path: /other }, respond: { status: 200, body: "%s" } }
          - id: counted
            match: { path: /slow }
            upstream: backend
            plugins: [ { test_counter: { label: "%s" } } ]
          - { id: proxied, match: { path: /** }, upstream: backend }
        """.formatted(body, otherBody, counterLabel);
  }

  private static Map<String, String> env(TestUpstream upstream) {
    return Map.of("UPSTREAM", String.valueOf(upstream.port()));
  }

  @BeforeEach
  void forgetClosedCounters() {
    TestPlugins.CLOSED_COUNTERS.clear();
  }

  @Test
  void tenReloadsUnderLoadFailNoRequestAndEachChangeIsAnswered() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger answered = new AtomicInteger();
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        // two clients on a direct route, two through the upstream with a request in flight across the swaps
        String path = i % 2 == 0 ? "/version" : "/slow?ms=20";
        clients.add(CompletableFuture.runAsync(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(gateway.uri(path)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() != 200) {
                failures.add(path + " -> " + response.statusCode() + " " + response.body());
              }
              answered.incrementAndGet();
            } catch (IOException | InterruptedException e) {
              failures.add(path + " -> " + e);
            }
          }
        }));
      }
      for (int version = 1; version <= 10; version++) {
        int before = answered.get();
        gateway.reload(config("v" + version, "a", "x"), env(upstream));
        String expected = "v" + version;
        Poll.until("version " + expected + " answered", () -> body(gateway, "/version").equals(expected));
        Poll.until("traffic went on after reload " + version, () -> answered.get() > before + 8);
      }
      stop.set(true);
      CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get();

      assertThat(failures).isEmpty();
      assertThat(answered.get()).isGreaterThan(80);
    }
  }

  @Test
  void aPluginWhoseConfigDidNotChangeKeepsItsStateAndAnUnchangedUpstreamItsHealth() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      gateway.send("GET", "/slow?ms=0&n=1");
      gateway.send("GET", "/slow?ms=0&n=2");
      var cluster = gateway.server().snapshot().upstream("backend");

      gateway.reload(config("v0", "a", "changed elsewhere"), env(upstream));

      HttpResponse<String> third = gateway.send("GET", "/slow?ms=0&n=3");
      assertThat(third.headers().firstValue("x-count")).contains("3");
      assertThat(gateway.server().snapshot().upstream("backend")).isSameAs(cluster);
      assertThat(gateway.send("GET", "/other").body()).isEqualTo("changed elsewhere");
      // the replaced instance handed its count over and was closed once no exchange used it
      Poll.until("the replaced instance closed", () -> TestPlugins.CLOSED_COUNTERS.contains("a"));
    }
  }

  @Test
  void aPluginWhoseConfigChangedStartsAfreshAndTheOldOneClosesAfterItsLastExchange() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      gateway.send("GET", "/slow?ms=0&n=1");
      CompletableFuture<HttpResponse<String>> slow = CLIENT.sendAsync(
          HttpRequest.newBuilder(gateway.uri("/slow?ms=600")).build(), HttpResponse.BodyHandlers.ofString());
      Poll.until("the slow exchange in flight", () -> gateway.server().activeExchanges() == 1);

      gateway.reload(config("v0", "b", "x"), env(upstream));

      HttpResponse<String> fresh = gateway.send("GET", "/slow?ms=0&n=2");
      assertThat(fresh.headers().firstValue("x-count")).contains("1");
      assertThat(fresh.headers().firstValue("x-counter-label")).contains("b");
      assertThat(TestPlugins.CLOSED_COUNTERS).doesNotContain("a");
      // the exchange that started before the reload finishes on its own config, with the old instance
      HttpResponse<String> finished = slow.get();
      assertThat(finished.statusCode()).isEqualTo(200);
      assertThat(finished.headers().firstValue("x-counter-label")).contains("a");
      assertThat(finished.headers().firstValue("x-count")).contains("2");
      Poll.until("the old instance closed", () -> TestPlugins.CLOSED_COUNTERS.contains("a"));
      assertThat(TestPlugins.CLOSED_COUNTERS).doesNotContain("b");
    }
  }

  @Test
  void onOneHttp2ConnectionAStreamInFlightFinishesOnItsConfigAndTheNextStreamsUseTheNewOne() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream));
        H2Client client = H2Client.h2c(gateway.port())) {
      assertThat(client.get("/slow?ms=0&n=1").headers().get("x-count")).hasToString("1");
      H2Client.Stream slow = client.open("GET", "/slow?ms=600&n=2", Map.of(), true);
      Poll.until("the slow stream in flight", () -> gateway.server().activeExchanges() == 1);

      gateway.reload(config("v1", "b", "x"), env(upstream));

      assertThat(client.get("/version").bodyText()).isEqualTo("v1");
      H2Client.Response fresh = client.get("/slow?ms=0&n=3");
      assertThat(fresh.headers().get("x-counter-label")).hasToString("b");
      assertThat(fresh.headers().get("x-count")).hasToString("1");
      H2Client.Response finished = slow.response().get(5, TimeUnit.SECONDS);
      assertThat(finished.status()).isEqualTo(200);
      assertThat(finished.headers().get("x-counter-label")).hasToString("a");
      assertThat(finished.headers().get("x-count")).hasToString("2");
      assertThat(client.isOpen()).isTrue();
      assertThat(client.goAway()).isNull();
      Poll.until("the old instance closed", () -> TestPlugins.CLOSED_COUNTERS.contains("a"));
    }
  }

  @Test
  void aChangedUpstreamGetsNewHealthStateAndItsOldCheckerStops() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      var before = gateway.server().snapshot().upstream("backend");

      gateway.reload(config("v0", "a", "x").replace("interval: 1h", "interval: 30m"), env(upstream));

      assertThat(gateway.server().snapshot().upstream("backend")).isNotSameAs(before);
      assertThat(gateway.send("GET", "/anything").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void listenersAddedByAReloadAcceptAndThoseRemovedClose() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      int first = gateway.port();
      String two = config("v0", "a", "x").replace("listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]",
          "listeners: [ { name: test, bind: 127.0.0.1, port: 0 }, { name: second, bind: 127.0.0.1, port: 0 } ]");

      gateway.reload(two, env(upstream));

      int second = gateway.server().port("second");
      assertThat(gateway.server().port("test")).isEqualTo(first);
      assertThat(get(second, "/version")).isEqualTo("v0");

      gateway.reload(config("v1", "a", "x"), env(upstream));

      assertThat(gateway.server().listeners()).extracting(GatewayServer.BoundListener::name).containsExactly("test");
      assertThat(get(first, "/version")).isEqualTo("v1");
      Poll.until("the removed listener refuses connections", () -> {
        try (Socket probe = new Socket("127.0.0.1", second)) {
          return false;
        } catch (IOException e) {
          return true;
        }
      });
    }
  }

  @Test
  void aFailedReloadKeepsTheRunningConfigAndReportsEveryProblemWithItsPosition(@TempDir Path dir) throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      Path file = dir.resolve("sluice.yaml");
      Files.writeString(file, config("v0", "a", "x").replace("${UPSTREAM}", String.valueOf(upstream.port())));
      try (ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog())) {
        String running = reloads.running().version();
        Files.writeString(file, config("v1", "a", "x").replace("${UPSTREAM}", String.valueOf(upstream.port()))
            .replace("upstream: backend", "upstream: backnd").replace("status: 200", "status: 2000"));

        ConfigReloads.Result result = reloads.reload("test").get();

        assertThat(result.success()).isFalse();
        assertThat(result.problems()).anySatisfy(p -> assertThat(p).matches(file + ":\\d+:\\d+ .*backnd.*"))
            .anySatisfy(p -> assertThat(p).matches(file + ":\\d+:\\d+ .*status.*"));
        assertThat(reloads.last()).isEqualTo(result);
        assertThat(reloads.running().version()).isEqualTo(running);
        assertThat(gateway.server().meters().counter("sluice.config.reloads", "result", "failure").count()).isEqualTo(1);
        assertThat(gateway.send("GET", "/version").body()).isEqualTo("v0");

        Files.writeString(file, config("v2", "a", "x").replace("${UPSTREAM}", String.valueOf(upstream.port())));
        ConfigReloads.Result fixed = reloads.reload("test").get();

        assertThat(fixed.success()).isTrue();
        assertThat(reloads.running().version()).isNotEqualTo(running).isEqualTo(fixed.version());
        assertThat(gateway.send("GET", "/version").body()).isEqualTo("v2");
        assertThat(gateway.server().meters().counter("sluice.config.reloads", "result", "success").count()).isEqualTo(1);
      }
    }
  }

  @Test
  void aReloadAppliesLoggingAndTracingAndNamesTheAccessLogAsRestartOnly(@TempDir Path dir) throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", "a", "x"), env(upstream))) {
      Path file = dir.resolve("sluice.yaml");
      String port = String.valueOf(upstream.port());
      Files.writeString(file, config("v0", "a", "x").replace("${UPSTREAM}", port));
      java.util.List<io.sluice.config.LoggingConfig> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog(),
          config -> applied.add(config.logging()))) {
        Files.writeString(file, config("v1", "a", "x").replace("${UPSTREAM}", port)
            .replace("  listeners:", "  access_log: { format: json }\n  tracing: { propagate: false }\n  listeners:")
            + "logging: { level: debug, format: json }\n");

        ConfigReloads.Result result = reloads.reload("test").get();

        assertThat(result.success()).isTrue();
        assertThat(result.restartOnly()).containsExactly("server.access_log");
        assertThat(applied).singleElement().isEqualTo(new io.sluice.config.LoggingConfig(
            io.sluice.config.LoggingConfig.Level.DEBUG, Map.of(), io.sluice.config.LoggingConfig.Format.JSON));
        gateway.send("GET", "/traced");
        assertThat(upstream.lastRequest().headers().contains("traceparent")).as("tracing: off applies at once").isFalse();

        Files.writeString(file, "server: {}\n");
        assertThat(reloads.reload("test").get().success()).isFalse();
        assertThat(applied).as("a failed reload applies nothing").hasSize(1);
      }
    }
  }

  private static String body(Gateway gateway, String path) {
    try {
      return gateway.send("GET", path).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String get(int port, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
