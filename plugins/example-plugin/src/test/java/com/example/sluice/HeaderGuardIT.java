package com.example.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.Builder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built plugin jar, installed the way an operator installs it: copied into a plugins folder
 * named by {@code plugin_dirs}, with the gateway started as its own process ({@code sluice run})
 * on a class path that does not contain the plugin. Runs in {@code integration-test}, after
 * {@code package} has built the jar; the paths come from the failsafe configuration.
 */
class HeaderGuardIT {

  private static final Path PLUGIN_JAR = Path.of(System.getProperty("plugin.jar"));
  /** Files listing the gateway's class path (gateway-core and its libraries), written by maven-dependency-plugin. */
  private static final Path GATEWAY_CLASS_PATH = Path.of(System.getProperty("gateway.class.path"));
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Pattern REQUEST_ID = Pattern.compile("\"request_id\":\"([^\"]+)\"");
  private static final Pattern LISTENER = Pattern.compile("listener '[^']+' on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  static Path home;

  private static TestUpstream upstream;
  private static Process gateway;
  private static final List<String> gatewayOutput = new CopyOnWriteArrayList<>();
  private static int port;
  private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void installThePluginAndStartTheGateway() throws Exception {
    upstream = new TestUpstream();
    Path plugins = Files.createDirectory(home.resolve("plugins"));
    Files.copy(PLUGIN_JAR, plugins.resolve(PLUGIN_JAR.getFileName()));
    Path config = writeConfig("sluice.yaml", """
        plugins:
          - example_header_guard: { required_header: x-tenant, allowed_values: [acme, globex], tag_value: edge-eu }
        routes:
          - id: api
            match: { path: /api/** }
            upstream: echo
          - id: open
            match: { path: /open/** }
            upstream: echo
            plugins:
              - example_header_guard: { enabled: false }
        """);

    gateway = sluice("run", "--config", config.toString()).start();
    port = awaitListener(gateway);
  }

  /** Stops the gateway as a supervisor would, and checks that it stopped cleanly and no hook ever failed. */
  @AfterAll
  static void stop() throws InterruptedException {
    try {
      if (gateway != null) {
        gateway.destroy(); // SIGTERM: drain, close the plugins, exit 0
        boolean exited = gateway.waitFor(10, TimeUnit.SECONDS);
        if (!exited) {
          gateway.destroyForcibly();
        }
        assertThat(exited && gateway.exitValue() == 0).as("clean exit; output: %s", gatewayOutput).isTrue();
        assertThat(gatewayOutput).noneMatch(line -> line.contains("plugin 'example_header_guard' failed"));
      }
    } finally {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @Test
  void gatewayClassPathDoesNotContainThePlugin() throws IOException {
    assertThat(gatewayClassPath())
        .anyMatch(entry -> entry.contains("gateway-core"))
        .anyMatch(entry -> entry.contains("netty-common"))
        .noneMatch(entry -> entry.contains("example-plugin") || entry.endsWith("-tests.jar") || entry.contains("junit"));
  }

  @Test
  void requestWithoutTheHeaderGets400JsonErrorAndNeverReachesTheUpstream() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> response = send(request("/api/users"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(response.body())
        .startsWith("{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"Missing header x-tenant\"},\"request_id\":\"");
    assertThat(response.headers().firstValue("x-example-tag")).isEmpty();
    assertThat(upstream.requests()).hasSize(before);
    Matcher requestId = REQUEST_ID.matcher(response.body());
    assertThat(requestId.find()).as(response.body()).isTrue();
    assertThat(awaitOutputLine(requestId.group(1))).as("the access-log line of the request")
        .contains("BAD_REQUEST", "example_header_guard.missing");
  }

  @Test
  void valueNotAllowedGets400() throws Exception {
    HttpResponse<String> response = send(request("/api/users").header("x-tenant", "initech"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"message\":\"Header x-tenant has a value that is not allowed\"");
  }

  @Test
  void allowedValueReachesTheUpstreamTaggedAndTheResponseCarriesTheTag() throws Exception {
    HttpResponse<String> response = send(request("/api/users?page=2").header("x-tenant", "globex"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("GET /api/users?page=2");
    assertThat(response.headers().firstValue("x-example-tag")).hasValue("edge-eu");
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.uri()).isEqualTo("/api/users?page=2");
    assertThat(seen.headers().getAll("x-example-tag")).containsExactly("edge-eu");
    assertThat(seen.headers().get("x-tenant")).isEqualTo("globex");
  }

  @Test
  void routeThatSwitchesTheGlobalGuardOffLetsRequestsThroughUntagged() throws Exception {
    HttpResponse<String> response = send(request("/open/status"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-example-tag")).isEmpty();
    assertThat(upstream.lastRequest().headers().contains("x-example-tag")).isFalse();
  }

  @Test
  void validateReportsAConfigMistakeInThePluginEntryWithFileLineAndColumn() throws Exception {
    Path broken = writeConfig("broken.yaml", """
        routes:
          - id: api
            match: { path: /api/** }
            upstream: echo
            plugins:
              - example_header_guard: { allowed_values: [acme] }
        """);

    Process validate = sluice("validate", broken.toString()).start();
    String stdout = read(validate.getInputStream());
    String stderr = read(validate.getErrorStream());

    assertThat(validate.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(validate.exitValue()).as(stdout + stderr).isEqualTo(1);
    assertThat(stderr).containsPattern(Pattern.quote(broken.toString()) + ":12:\\d+ " + Pattern.quote(
        "routes[0].plugins[0].example_header_guard: required_header: missing (expected: a header name, e.g. x-tenant)"));
  }

  /**
   * Writes a config file: a listener on an ephemeral port, {@code plugin_dirs} naming the folder
   * the jar was copied to, the upstream {@code echo}, and then {@code pluginsAndRoutes}, whose
   * first line is line 7 of the file.
   */
  private static Path writeConfig(String fileName, String pluginsAndRoutes) throws IOException {
    return Files.writeString(home.resolve(fileName), """
        server:
          listeners:
            - { name: test, bind: 127.0.0.1, port: 0 }
        plugin_dirs: [%s]
        upstreams:
          echo: { endpoints: ["http://127.0.0.1:%d"] }
        """.formatted(home.resolve("plugins").toAbsolutePath(), upstream.port()) + pluginsAndRoutes);
  }

  private static ProcessBuilder sluice(String... args) throws IOException {
    List<String> command = new ArrayList<>(
        List.of(JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, gatewayClassPath()),
            "io.sluice.cli.Sluice"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(home.toFile());
  }

  private static List<String> gatewayClassPath() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : Files.readString(GATEWAY_CLASS_PATH).strip().split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(entry);
      }
    }
    return entries;
  }

  /** Reads the gateway's output until it names its listener's port; keeps all output for failure messages. */
  private static int awaitListener(Process process) throws InterruptedException {
    BlockingQueue<Integer> ports = new LinkedBlockingQueue<>();
    Thread.ofVirtual().start(() -> collect(process.getInputStream(), ports));
    Thread.ofVirtual().start(() -> collect(process.getErrorStream(), ports));
    Integer found = ports.poll(30, TimeUnit.SECONDS);
    assertThat(found).as("the gateway's listener port; output so far: %s", gatewayOutput).isNotNull();
    return found;
  }

  private static void collect(InputStream stream, BlockingQueue<Integer> ports) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        gatewayOutput.add(line);
        Matcher listener = LISTENER.matcher(line);
        if (listener.find()) {
          ports.add(Integer.parseInt(listener.group(1)));
        }
      }
    } catch (IOException e) {
      gatewayOutput.add("(output closed: " + e + ")");
    }
  }

  /** The first line of the gateway's output that contains {@code text}, waiting up to 10 s for it. */
  private static String awaitOutputLine(String text) throws InterruptedException {
    Poll.until("a line with " + text, () -> gatewayOutput.stream().anyMatch(line -> line.contains(text)),
        () -> "in " + gatewayOutput);
    return gatewayOutput.stream().filter(line -> line.contains(text)).findFirst().orElseThrow();
  }

  private static String read(InputStream stream) throws IOException {
    return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Builder request(String pathAndQuery) {
    return java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10));
  }

  private static HttpResponse<String> send(Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
