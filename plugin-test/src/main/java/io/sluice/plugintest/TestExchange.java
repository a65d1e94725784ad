package io.sluice.plugintest;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Attributes;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Headers;
import io.sluice.spi.Outcome;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * An exchange without a gateway, for unit tests of a plugin's hooks. Starts as a {@code GET} of
 * {@code http://api.example.com/} from {@code 127.0.0.1} on route {@code test-route}; the methods
 * named after a property set it and return this exchange, so a test writes what matters to it:
 *
 * <pre>{@code
 * TestExchange exchange = TestExchange.get("/users/42").route("users").header("x-tenant", "acme");
 * Decision decision = plugin.onRequest(exchange);
 * assertThat(exchange.requestHeaders().get("x-tag")).isEqualTo("edge-eu");
 * }</pre>
 *
 * Request headers and attributes are real and checked as in the gateway, and a test reads what the
 * plugin left in them. Not thread-safe, like the gateway's exchanges outside their event loop.
 */
public final class TestExchange implements Exchange {

  private String method = "GET";
  private String scheme = "http";
  private String host = "api.example.com";
  private String path = "/";
  private String rawQuery;
  private Map<String, List<String>> query = Map.of();
  private final Map<String, String> pathParameters = new HashMap<>();
  private final TestHeaders requestHeaders = new TestHeaders();
  private String clientAddress = "127.0.0.1";
  private String clientIp;
  private boolean grpc;
  private String routeId = "test-route";
  private String requestId = "test-request-1";
  private String listener = "test";
  private String protocol = "HTTP/1.1";
  private long startNanos = System.nanoTime();
  private final ManualExecutor tasks = new ManualExecutor();
  private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();
  private final Attributes attributeView = new Attributes() {
    @Override
    public <T> T get(AttributeKey<T> key) {
      return key.type().cast(attributes.get(key));
    }

    @Override
    public <T> void put(AttributeKey<T> key, T value) {
      if (value == null) {
        attributes.remove(key);
      } else {
        attributes.put(key, key.type().cast(value));
      }
    }
  };

  private TestExchange() {}

  /** A {@code GET} of {@code path}. */
  public static TestExchange get(String path) {
    return request("GET", path);
  }

  /** A request with {@code method} for {@code path} (which may carry a {@code ?query}). */
  public static TestExchange request(String method, String path) {
    TestExchange exchange = new TestExchange().method(method);
    int question = path.indexOf('?');
    return question < 0 ? exchange.path(path) : exchange.path(path.substring(0, question)).query(path.substring(question + 1));
  }

  public TestExchange method(String value) {
    this.method = value;
    return this;
  }

  public TestExchange scheme(String value) {
    this.scheme = value;
    return this;
  }

  public TestExchange host(String value) {
    this.host = value;
    return this;
  }

  public TestExchange path(String value) {
    this.path = value;
    return this;
  }

  /** The raw query string, without {@code ?}; its parameters are decoded as the gateway decodes them. */
  public TestExchange query(String raw) {
    this.rawQuery = raw;
    Map<String, List<String>> parsed = new LinkedHashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals));
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
        parsed.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
    }
    this.query = parsed;
    return this;
  }

  /** Adds a request header (a second call with the same name adds a second value). */
  public TestExchange header(String name, String value) {
    requestHeaders.add(name, value);
    return this;
  }

  /** Adds request headers from name-value pairs: {@code headers("origin", APP, "accept", "text/html")}. */
  public TestExchange headers(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values come in pairs, got " + namesAndValues.length + " strings");
    }
    for (int i = 0; i < namesAndValues.length; i += 2) {
      requestHeaders.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return this;
  }

  /** A value the route's path pattern captured ({@code /users/{id}}). */
  public TestExchange pathParameter(String name, String value) {
    pathParameters.put(name, value);
    return this;
  }

  /** The TCP peer; also the client IP unless {@link #clientIp(String)} says otherwise. */
  public TestExchange clientAddress(String value) {
    this.clientAddress = value;
    return this;
  }

  /** The client behind trusted proxies, as the gateway would have worked it out from forwarding headers. */
  public TestExchange clientIp(String value) {
    this.clientIp = value;
    return this;
  }

  public TestExchange grpc(boolean value) {
    this.grpc = value;
    return this;
  }

  public TestExchange route(String value) {
    this.routeId = value;
    return this;
  }

  public TestExchange requestId(String value) {
    this.requestId = value;
    return this;
  }

  public TestExchange listener(String value) {
    this.listener = value;
    return this;
  }

  public TestExchange protocol(String value) {
    this.protocol = value;
    return this;
  }

  /** When the exchange began, on the ticker the plugin under test was given (e.g. a {@link ManualTicker}'s time). */
  public TestExchange startNanos(long value) {
    this.startNanos = value;
    return this;
  }

  /** Puts an attribute, as an earlier plugin of the chain would have; returns this exchange. */
  public <T> TestExchange attribute(AttributeKey<T> key, T value) {
    attributeView.put(key, value);
    return this;
  }

  /** What {@link io.sluice.spi.Plugin#onComplete} gets after a response with {@code status} from the upstream. */
  public Outcome outcome(int status) {
    return new Outcome(status, null, "", Duration.ofMillis(3), Duration.ofMillis(2), routeId, "127.0.0.1:9001", 0, 0);
  }

  /** What {@link io.sluice.spi.Plugin#onComplete} gets after the gateway or a plugin answered with {@code error}. */
  public Outcome outcome(GatewayError error) {
    return new Outcome(error.httpStatus(), error, "", Duration.ofMillis(1), null, routeId, null, 0, 0);
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String scheme() {
    return scheme;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String rawQuery() {
    return rawQuery;
  }

  @Override
  public List<String> queryParameter(String name) {
    return List.copyOf(query.getOrDefault(name, List.of()));
  }

  @Override
  public String pathParameter(String name) {
    return pathParameters.get(name);
  }

  @Override
  public Headers requestHeaders() {
    return requestHeaders;
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public String clientIp() {
    return clientIp != null ? clientIp : clientAddress;
  }

  @Override
  public boolean isGrpc() {
    return grpc;
  }

  @Override
  public String routeId() {
    return routeId;
  }

  @Override
  public Attributes attributes() {
    return attributeView;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public String listener() {
    return listener;
  }

  /**
   * The exchange's stand-in event loop: tasks given to it wait until the test runs them with
   * {@link #tasks()}{@code .runPending()}, as the gateway runs them only after the hook returned.
   */
  @Override
  public Executor executor() {
    return tasks;
  }

  /** The tasks given to {@link #executor()}, to count and to run. */
  public ManualExecutor tasks() {
    return tasks;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
