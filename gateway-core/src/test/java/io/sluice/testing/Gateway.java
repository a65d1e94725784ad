package io.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.AccessLog;
import io.sluice.server.GatewayServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real gateway on an ephemeral 127.0.0.1 port, started from YAML text. {@code ${NAME}} in the
 * YAML is substituted from {@code env} (e.g. the port of a {@link TestUpstream}).
 */
public final class Gateway implements AutoCloseable {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final GatewayServer server;
  private final PluginRegistry plugins;
  private final AccessLog accessLog;
  /** Times the access log's writer found its queue empty: it flushes then (see {@link #accessLog()}). */
  private final AtomicLong accessLogIdle = new AtomicLong();
  private final ByteArrayOutputStream accessLogSink = new ByteArrayOutputStream() {
    @Override
    public void flush() {
      accessLogIdle.incrementAndGet();
    }
  };

  private Gateway(GatewayConfig config, PluginRegistry plugins) throws Exception {
    this.plugins = plugins;
    // a file stays a file (tests of file output read it); stdout becomes this buffer, in the configured format
    this.accessLog = config.server().accessLog().file() != null ? AccessLog.open(config.server().accessLog())
        : new AccessLog(accessLogSink, config.server().accessLog().format());
    this.server = GatewayServer.start(config, plugins, accessLog);
  }

  /** A gateway with the plugins found on the class path (ServiceLoader). */
  public static Gateway start(String yaml, Map<String, String> env) throws Exception {
    return start(yaml, env, List.of());
  }

  /** A gateway with the plugins on the class path and those in the jars of {@code pluginDirs}. */
  public static Gateway start(String yaml, Map<String, String> env, List<Path> pluginDirs) throws Exception {
    PluginRegistry plugins = PluginRegistry.discover(pluginDirs);
    if (!plugins.problems().isEmpty()) {
      throw new IllegalStateException("plugin problems: " + plugins.problems());
    }
    return new Gateway(ConfigLoader.parse(yaml, "test.yaml", env::get, plugins.catalog()), plugins);
  }

  /**
   * Reloads the running gateway with another config (substituted from {@code env} like the first);
   * returns the settings that changed but take effect only on restart.
   */
  public List<String> reload(String yaml, Map<String, String> env) throws Exception {
    return server.reload(ConfigLoader.parse(yaml, "test.yaml", env::get, plugins.catalog()));
  }

  /** The installed plugins (class path and plugin folders). */
  public PluginRegistry plugins() {
    return plugins;
  }

  public int port() {
    return server.listeners().get(0).address().getPort();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  public GatewayServer server() {
    return server;
  }

  /**
   * The access log with a line for every exchange that has ended. Waits until no exchange is in flight
   * (an exchange queues its line before it counts as ended), then until the log's background writer has
   * twice found its queue empty: the second time it looked after every line queued so far was in it.
   * Fails if exchanges are still in flight after 10 seconds.
   */
  public String accessLog() throws InterruptedException {
    awaitAccessLog();
    return accessLogSink.toString(StandardCharsets.UTF_8);
  }

  /**
   * The lines of a JSON access log ({@code access_log: { format: json }}) whose {@code path} contains
   * {@code pathPart}, each parsed with Jackson (every line of the log must parse), after waiting as {@link #accessLog()}.
   */
  public List<JsonNode> accessLogJson(String pathPart) throws InterruptedException {
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : accessLog().lines().toList()) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (java.io.IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
      if (!node.isObject()) {
        throw new AssertionError("not a JSON object: " + line);
      }
      if (node.path("path").asText().contains(pathPart)) {
        lines.add(node);
      }
    }
    return lines;
  }

  /** The one JSON access-log line whose {@code path} contains {@code pathPart} (see {@link #accessLogJson}). */
  public JsonNode accessLogLine(String pathPart) throws InterruptedException {
    List<JsonNode> lines = accessLogJson(pathPart);
    if (lines.size() != 1) {
      throw new AssertionError(lines.size() + " access-log lines for " + pathPart + " (expected: one): " + lines);
    }
    return lines.get(0);
  }

  /** The access log of this gateway, for reopening and counting drops. */
  public AccessLog accessLogWriter() {
    return accessLog;
  }

  /** Waits like {@link #accessLog()} until every ended exchange's line was written (and flushed). */
  public void awaitAccessLog() throws InterruptedException {
    Poll.until("no exchange in flight", () -> server.activeExchanges() == 0,
        () -> server.activeExchanges() + " still in flight");
    long idle = accessLogIdle.get();
    Poll.until("the access log written", () -> accessLogIdle.get() >= idle + 2);
  }

  /** Sends a request without a body over HTTP/1.1 and reads the response as text. */
  public HttpResponse<String> send(String method, String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public RawHttp raw() {
    return new RawHttp(port());
  }

  /** Raw bytes to listener {@code name}. */
  public RawHttp raw(String name) {
    return new RawHttp(server.port(name));
  }

  @Override
  public void close() {
    server.drainAndStop(Duration.ZERO);
    accessLog.close();
  }
}
