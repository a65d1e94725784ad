package io.sluice.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.proxy.RequestHead;
import io.sluice.proxy.ResponseView;
import io.sluice.routing.PathParams;
import io.sluice.spi.Decision;
import io.sluice.spi.Plugin;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@code cors} plugin's hooks on the gateway's own exchange and response views (Netty
 * headers underneath), built from YAML like in production: a preflight, and the request and
 * response hooks of an actual request from an exact origin, a pattern origin, another origin
 * and no origin. {@code baseline} only resets the response head, which every other case does too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CorsBenchmark {

  private Plugin cors;
  private ExchangeView preflight;
  private ExchangeView exactOrigin;
  private ExchangeView patternOrigin;
  private ExchangeView otherOrigin;
  private ExchangeView noOrigin;
  private final HttpHeaders responseHeaders = new DefaultHttpHeaders();

  @Setup
  public void setUp() throws Exception {
    String yaml = """
        server:
          listeners: [ { name: bench, port: 0 } ]
        routes:
          - id: bench
            match: { path: /bench }
            respond: { status: 200 }
            plugins:
              - cors:
                  allow_origins: [ "https://app.example.com", "https://*.preview.example.com", "http://localhost:5173" ]
                  allow_methods: [ GET, POST, PUT ]
                  allow_headers: [ authorization, content-type, x-custom ]
                  expose_headers: [ x-request-id ]
                  allow_credentials: true
        """;
    PluginRegistry registry = PluginRegistry.builtIn();
    GatewayConfig config = ConfigLoader.parse(yaml, "bench.yaml", name -> null, registry.catalog());
    GatewaySnapshot snapshot = GatewaySnapshot.compile(config, registry, new SimpleMeterRegistry());
    cors = snapshot.plugins().forRoute("bench").slots().get(0).plugin();
    preflight = view(HttpMethod.OPTIONS, "Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT",
        "Access-Control-Request-Headers", "content-type, x-custom");
    exactOrigin = view(HttpMethod.GET, "Origin", "https://app.example.com");
    patternOrigin = view(HttpMethod.GET, "Origin", "https://pr-1234.preview.example.com");
    otherOrigin = view(HttpMethod.GET, "Origin", "https://evil.example.org");
    noOrigin = view(HttpMethod.GET);
  }

  private static ExchangeView view(HttpMethod method, String... headers) {
    HttpHeaders request = new DefaultHttpHeaders();
    request.set(HttpHeaderNames.HOST, "api.example.com");
    request.set(HttpHeaderNames.ACCEPT, "*/*");
    for (int i = 0; i < headers.length; i += 2) {
      request.set(headers[i], headers[i + 1]);
    }
    RequestHead head = new RequestHead(method, "https", "api.example.com", "api.example.com", "/bench", null, request, false, -1);
    ExchangeView view = new ExchangeView(head, "req-1", "bench", PathParams.EMPTY, "127.0.0.1");
    view.requestHeaders(); // created once per exchange by the gateway; not what is measured here
    return view;
  }

  @Benchmark
  public Decision preflight() {
    return cors.onRequest(preflight);
  }

  @Benchmark
  public void exactOrigin(Blackhole blackhole) {
    actual(exactOrigin, blackhole);
  }

  @Benchmark
  public void patternOrigin(Blackhole blackhole) {
    actual(patternOrigin, blackhole);
  }

  @Benchmark
  public void otherOrigin(Blackhole blackhole) {
    actual(otherOrigin, blackhole);
  }

  @Benchmark
  public void noOrigin(Blackhole blackhole) {
    actual(noOrigin, blackhole);
  }

  @Benchmark
  public HttpHeaders baseline() {
    return resetResponse();
  }

  private void actual(ExchangeView exchange, Blackhole blackhole) {
    resetResponse();
    blackhole.consume(cors.onRequest(exchange));
    cors.onResponse(exchange, new ResponseView(200, responseHeaders, false));
    blackhole.consume(responseHeaders);
  }

  /** A fresh upstream response head: what the hooks get for each actual request. */
  private HttpHeaders resetResponse() {
    responseHeaders.clear();
    responseHeaders.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
    return responseHeaders;
  }
}
