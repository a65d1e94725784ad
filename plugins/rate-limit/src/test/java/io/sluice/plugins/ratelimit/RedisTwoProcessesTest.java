package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.RedisServer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes (each its own JVM: its own Redis connection, its own local counters) in
 * front of one upstream enforce one limit kept in one real redis-server.
 */
class RedisTwoProcessesTest {

  private static final int LIMIT = 40;
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void twoGatewayProcessesSharingOneRedisAllowExactlyTheLimitBetweenThem(@TempDir Path dir) throws Exception {
    try (RedisServer redis = RedisServer.start(); TestUpstream upstream = new TestUpstream()) {
      Path config = Files.writeString(dir.resolve("sluice.yaml"), """
          server:
            listeners: [ { name: shared, bind: 127.0.0.1, port: 0 } ]
            access_log: false
          upstreams:
            backend: { endpoints: [ "http://127.0.0.1:%d" ] }
          redis: { uri: "%s", command_timeout: 1s }
          routes:
            - id: shared
              match: { path: /** }
              upstream: backend
              plugins:
                - rate_limit: { store: redis, algorithm: token_bucket, limit: %d, window: 1h, key: global }
          """.formatted(upstream.port(), redis.uri(), LIMIT));
      List<Process> gateways = new ArrayList<>();
      try {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          Process gateway = start(config);
          gateways.add(gateway);
          ports.add(port(gateway));
        }

        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        AtomicInteger[] allowedBy = {new AtomicInteger(), new AtomicInteger()};
        List<String> other = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
          int gateway = c % 2;
          clients.add(CompletableFuture.runAsync(() -> {
            for (int n = 0; n < 25; n++) {
              try {
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.get(gateway) + "/x")).build(), HttpResponse.BodyHandlers.ofString());
                switch (response.statusCode()) {
                  case 200 -> {
                    allowed.incrementAndGet();
                    allowedBy[gateway].incrementAndGet();
                  }
                  case 429 -> limited.incrementAndGet();
                  default -> other.add(response.statusCode() + " " + response.body());
                }
              } catch (Exception e) {
                other.add(e.toString());
              }
            }
          }));
        }
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertThat(other).isEmpty();
        assertThat(allowed.get()).isEqualTo(LIMIT);
        assertThat(limited.get()).isEqualTo(200 - LIMIT);
        assertThat(allowedBy[0].get()).isPositive();
        assertThat(allowedBy[1].get()).isPositive();
      } finally {
        for (Process gateway : gateways) {
          gateway.destroy();
          gateway.waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The gateway of this test's class path ({@code Sluice run}), in a JVM of its own. */
  private static Process start(Path config) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(List.of(java, "-Xmx128m", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), "io.sluice.cli.Sluice", "run", "--config", config.toString()))
        .redirectErrorStream(true)
        .start();
  }

  /**
   * Reads the process's output until it says where it listens and that its limits are kept in Redis
   * (before that, requests are answered by the local fallback, which counts apart); the rest is
   * drained in the background.
   */
  private static int port(Process gateway) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("listener 'shared' on http://127\\.0\\.0\\.1:(\\d+)");
    StringBuilder seen = new StringBuilder();
    int port = -1;
    boolean inRedis = false;
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = listening.matcher(line);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
      }
      inRedis |= line.contains("rate limits are kept in Redis at redis://127.0.0.1:");
      if (port > 0 && inRedis) {
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
        return port;
      }
    }
    throw new AssertionError("the gateway exited before listening with its limits in Redis:\n" + seen);
  }
}
