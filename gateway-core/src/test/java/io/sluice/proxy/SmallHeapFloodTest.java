package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway in a JVM of its own with a 48 MB heap, flooded with 1,500 concurrent requests for a
 * slow upstream: every request is either served or refused at once with 503 and our error shape
 * (OVERLOADED past max_in_flight, UPSTREAM_OVERLOADED past max_pending_requests), nothing else;
 * and the process is still there and serving afterwards.
 */
class SmallHeapFloodTest {

  private static final int FLOOD = 1500;

  @Test
  void aFloodIsServedOrShedAndTheGatewaySurvives(@TempDir Path dir) throws Exception {
    try (TestUpstream upstream = new TestUpstream()) {
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, """
          server:
            listeners: [ { name: flood, bind: 127.0.0.1, port: 0 } ]
            event_loops: 2
            access_log: false
            overload: { max_in_flight: 400 }
          upstreams:
            slow:
              endpoints: [ "http://127.0.0.1:%d" ]
              max_connections_per_endpoint: 32
              max_pending_requests: 100
              timeouts: { connect: 20s }
          routes:
            - { id: slow, match: { path: /** }, upstream: slow }
          """.formatted(upstream.port()));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process gateway = new ProcessBuilder(List.of(java, "-Xmx48m", "-XX:+ExitOnOutOfMemoryError",
          "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
          "io.sluice.cli.Sluice", "run", "--config", config.toString()))
          .redirectErrorStream(true).start();
      StringBuilder output = new StringBuilder();
      try {
        int port = port(gateway, output);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(20)).build();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> flood = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
          HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=300&i=" + i))
              .timeout(Duration.ofSeconds(60)).build();
          flood.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle((response, failure) -> {
                outcomes.computeIfAbsent(outcome(response, failure), k -> new AtomicInteger()).incrementAndGet();
                return null;
              }));
        }
        CompletableFuture.allOf(flood.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        assertThat(outcomes.keySet()).as("outcomes %s", outcomes)
            .isSubsetOf("200", "503 OVERLOADED", "503 UPSTREAM_OVERLOADED");
        // at least the first max_pending_requests: they wait (or connect) and are served
        assertThat(outcomes.get("200").get()).isGreaterThanOrEqualTo(100);
        assertThat(outcomes.getOrDefault("503 OVERLOADED", new AtomicInteger()).get()
            + outcomes.getOrDefault("503 UPSTREAM_OVERLOADED", new AtomicInteger()).get()).isPositive();
        assertThat(gateway.isAlive()).isTrue();
        HttpResponse<String> after = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/after"))
            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
      } finally {
        gateway.destroy();
        gateway.waitFor(20, TimeUnit.SECONDS);
      }
      assertThat(output.toString()).doesNotContain("OutOfMemoryError");
    }
  }

  private static String outcome(HttpResponse<String> response, Throwable failure) {
    if (failure != null) {
      return failure.getClass().getSimpleName();
    }
    if (response.statusCode() != 503) {
      return String.valueOf(response.statusCode());
    }
    Matcher code = Pattern.compile("\"code\":\"([A-Z_]+)\"").matcher(response.body());
    return code.find() ? "503 " + code.group(1) : "503 " + response.body();
  }

  /** Reads the gateway's output until it says where it listens; the rest is collected in the background. */
  private static int port(Process gateway, StringBuilder output) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("listener 'flood' accepting .* on 127\\.0\\.0\\.1:(\\d+)");
    String line;
    while ((line = out.readLine()) != null) {
      output.append(line).append('\n');
      Matcher m = listening.matcher(line);
      if (m.find()) {
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> {
          synchronized (output) {
            output.append(l).append('\n');
          }
        }));
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("the gateway exited before listening:\n" + output);
  }
}
