package io.sluice.plugintest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a real gateway in the test's JVM, in front of a real upstream, with
 * every plugin on the test class path installed: the plugin under test among them, found through its
 * {@code META-INF/services/io.sluice.spi.PluginFactory} file as in a jar.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SluiceGateway gateway = SluiceGateway.withRoutes("""
 *     - id: users
 *       match: { path: /users/** }
 *       upstream: backend
 *       plugins:
 *         - my_plugin: { required_header: x-tenant }
 *     """);
 *
 * @Test
 * void refusesARequestWithoutTheHeader() throws Exception {
 *   assertThat(gateway.send("GET", "/users/1").statusCode()).isEqualTo(400);
 *   assertThat(gateway.upstream().requests()).isEmpty();
 * }
 * }</pre>
 *
 * Register it in a {@code static} field to start the gateway once per test class, or in an instance
 * field for one per test. The upstream ({@code backend}) answers every request with {@code 200} and
 * records it; {@link #upstream()} reads what it received. Everything listens on 127.0.0.1.
 */
public final class SluiceGateway implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String config;
  private TestUpstream upstream;
  private Gateway gateway;
  private boolean perClass;

  private SluiceGateway(String config) {
    this.config = config;
  }

  /**
   * A gateway with one listener, an upstream named {@code backend} and these routes: the items of the
   * {@code routes:} list, as YAML indented by zero (the extension indents them).
   */
  public static SluiceGateway withRoutes(String routes) {
    return withConfig("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
        """ + routes.stripIndent().lines().map(line -> "  " + line).reduce("", (a, b) -> a + b + "\n"));
  }

  /**
   * A gateway with a whole config of its own. {@code ${UPSTREAM}} stands for the port of the
   * upstream the extension starts; a listener with {@code port: 0} gets a free port ({@link #port()}).
   */
  public static SluiceGateway withConfig(String yaml) {
    return new SluiceGateway(yaml);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    perClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start(config, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  private void stop() {
    if (gateway != null) {
      gateway.close();
      gateway = null;
    }
    if (upstream != null) {
      upstream.close();
      upstream = null;
    }
  }

  /** The port of the gateway's first listener. */
  public int port() {
    return running().port();
  }

  /** {@code http://127.0.0.1:PORT} followed by {@code pathAndQuery}. */
  public URI uri(String pathAndQuery) {
    return running().uri(pathAndQuery);
  }

  /** Sends a request without a body over HTTP/1.1; {@code headers} are name-value pairs. */
  public HttpResponse<String> send(String method, String pathAndQuery, String... headers) throws Exception {
    return running().send(method, pathAndQuery, headers);
  }

  /** Sends {@code body} as the request body; {@code headers} are name-value pairs. */
  public HttpResponse<String> sendBody(String method, String pathAndQuery, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).method(method, HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The upstream {@code backend}: every request it received, in order. */
  public TestUpstream upstream() {
    if (upstream == null) {
      throw new IllegalStateException("the gateway is not running (outside a test, or the extension is not registered)");
    }
    return upstream;
  }

  /** The access-log lines (JSON) of the requests whose path contains {@code pathPart}, once they are written. */
  public List<JsonNode> accessLog(String pathPart) throws InterruptedException {
    return running().accessLogJson(pathPart);
  }

  /** Replaces the running config, as a reload does; returns the settings that would need a restart. */
  public List<String> reload(String yaml) throws Exception {
    return running().reload(yaml, Map.of("UPSTREAM", String.valueOf(upstream().port())));
  }

  /** The in-process gateway, for what this class does not wrap (metrics, the server itself). */
  public Gateway gateway() {
    return running();
  }

  private Gateway running() {
    if (gateway == null) {
      throw new IllegalStateException("the gateway is not running (outside a test, or the extension is not registered)");
    }
    return gateway;
  }
}
