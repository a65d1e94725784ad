package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.BodyPattern;
import io.sluice.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gigabyte each way through a gateway whose heap and direct memory are capped far below
 * that: only streaming with backpressure can pass. The gateway runs in its own JVM, started
 * with the real CLI.
 */
class BoundedMemoryStreamingTest {

  static final long GIB = 1024L * 1024 * 1024;
  static TestUpstream upstream;
  static Process gateway;
  static int port;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    upstream = new TestUpstream();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        server:
          listeners: [ { name: big, bind: 127.0.0.1, port: 0 } ]
          access_log: false
          limits: { max_body_bytes: 2GiB }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:%d" ], timeouts: { response: 60s } }
        routes:
          - id: all
            match: { path: /** }
            upstream: backend
        """.formatted(upstream.port()));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    gateway = new ProcessBuilder(List.of(java, "-Xmx48m", "-XX:MaxDirectMemorySize=32m", "-XX:+ExitOnOutOfMemoryError",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        "io.sluice.cli.Sluice", "run", "--config", config.toString()))
        .redirectErrorStream(true)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("listener 'big' on http://127\\.0\\.0\\.1:(\\d+)");
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = listening.matcher(line);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        break;
      }
    }
    assertThat(port).as("gateway announced its port").isPositive();
    Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.destroy();
      assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(gateway.exitValue()).as("exit code after SIGTERM").isZero();
    }
    upstream.close();
  }

  @Test
  void gigabyteDownloadStreamsThroughASmallHeap() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<InputStream> response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/download?bytes=" + GIB)).build(),
        HttpResponse.BodyHandlers.ofInputStream());

    BodyPattern.Check received = new BodyPattern.Check();
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[256 * 1024];
      int n;
      while ((n = body.read(buffer)) >= 0) {
        received.update(buffer, 0, n);
      }
    }
    assertThat(response.statusCode()).isEqualTo(200);
    received.assertIntact(GIB);
    assertThat(gateway.isAlive()).isTrue();
  }

  @Test
  void gigabyteUploadStreamsThroughASmallHeap() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> BodyPattern.stream(GIB))).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("received=" + GIB);
    assertThat(response.headers().firstValue(BodyPattern.CHECK_HEADER)).hasValue(BodyPattern.INTACT);
    assertThat(gateway.isAlive()).isTrue();
  }
}
