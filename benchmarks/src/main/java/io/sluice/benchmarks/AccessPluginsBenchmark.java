package io.sluice.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.proxy.ExchangeView;
import io.sluice.spi.Decision;
import io.sluice.spi.Identity;
import io.sluice.spi.Outcome;
import io.sluice.spi.Plugin;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
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

/**
 * The hot paths of the built-in plugins that have no benchmark of their own, built from YAML like
 * in production and called on the gateway's own exchange view: {@code apiKey} (a valid key in
 * {@code x-api-key}: the lookup, the identity, the key stripped and {@code x-consumer} set; the
 * header is put back first, as every request brings its own), {@code rbac} (a consumer with the
 * {@code user} role allowed by the second of five rules), and {@code circuitBreaker} (a closed
 * breaker: {@code onRequest}, then {@code onComplete} with a 200). Run with {@code -prof gc} for
 * the bytes each allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AccessPluginsBenchmark {

  private static final String KEY = "k3y-for-the-mobile-app-0123456789abcdef";

  private Plugin apiKey;
  private Plugin rbac;
  private Plugin breaker;
  private ExchangeView keyed;
  private HttpHeaders keyedHeaders;
  private ExchangeView authorized;
  private ExchangeView guarded;
  private Outcome ok;

  @Setup
  public void setUp() throws Exception {
    String yaml = """
        server:
          listeners: [ { name: bench, port: 0 } ]
        upstreams:
          app: { endpoints: [ "http://127.0.0.1:9" ] }
        routes:
          - id: keyed
            match: { path: /keyed/** }
            respond: { status: 200 }
            plugins:
              - api_key:
                  header_name: x-api-key
                  strip_key: true
                  forward_consumer_header: x-consumer
                  consumers:
                    - { name: admin-console, keys: ["admin-key-0123456789abcdef0123"], roles: [admin] }
                    - { name: mobile-app, keys: ["%s"], roles: [user] }
          - id: api
            match: { path: /api/** }
            respond: { status: 200 }
            plugins:
              - rbac:
                  include_identity_roles: true
                  role_permissions:
                    admin: ["*:*"]
                    user: ["rooms:read", "rooms:write", "orders:read"]
                  rules:
                    - { methods: [POST, PUT], paths: ["/api/rooms", "/api/rooms/{id}"], require_any: ["rooms:write"] }
                    - { methods: [GET, HEAD], paths: ["/api/rooms/**"], require_any: ["rooms:read"] }
                    - { methods: [DELETE], paths: ["/api/rooms/{id}"], require_all: ["rooms:delete", "role:admin"] }
                    - { methods: [GET], paths: ["/api/orders/**"], require_any: ["orders:read"] }
                    - { paths: ["/api/admin/**"], require_any: ["role:admin"] }
                  default: deny
          - id: guarded
            match: { path: /guarded/** }
            upstream: app
            plugins:
              - circuit_breaker: { window_calls: 100, minimum_calls: 20, failure_rate: 50, open_duration: 30s }
        """.formatted(KEY);
    BuiltPlugins plugins = BuiltPlugins.compile(yaml);
    apiKey = plugins.first("keyed");
    rbac = plugins.first("api");
    breaker = plugins.first("guarded");

    keyedHeaders = new DefaultHttpHeaders();
    keyed = BuiltPlugins.get("/keyed/rooms", null, "keyed", keyedHeaders);
    authorized = BuiltPlugins.get("/api/rooms/42", null, "api", new DefaultHttpHeaders());
    authorized.attributes().put(Identity.KEY, new Identity("mobile-app", "mobile-app", Map.of(), Set.of("user"), "api_key"));
    guarded = BuiltPlugins.get("/guarded/x", null, "guarded", new DefaultHttpHeaders());
    ok = new Outcome(200, null, null, Duration.ofMillis(2), Duration.ofMillis(1), "guarded", "127.0.0.1:9", 0, 5);
    if (apiKey() != Decision.proceed() || rbac() != Decision.proceed()) {
      throw new IllegalStateException("the benchmark's requests must be allowed");
    }
  }

  @Benchmark
  public Decision apiKey() {
    keyedHeaders.set("x-api-key", KEY);
    return apiKey.onRequest(keyed);
  }

  @Benchmark
  public Decision rbac() {
    return rbac.onRequest(authorized);
  }

  @Benchmark
  public Decision circuitBreaker() {
    Decision decision = breaker.onRequest(guarded);
    breaker.onComplete(guarded, ok);
    return decision;
  }
}
