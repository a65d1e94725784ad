package io.sluice.config;

import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static final String FULL = """
      server:
        listeners:
          - { name: public, bind: 0.0.0.0, port: 8080, protocols: [http1], headers_with_underscores: reject }
          - name: internal
            bind: 127.0.0.1
            port: 8081
        admin: { enabled: true, bind: 127.0.0.1, port: 9901 }
        trusted_proxies: [10.0.0.0/8, "::1"]
        limits:
          max_request_line_bytes: 4KiB
          max_header_bytes: 32KiB
          max_header_count: 64
          max_header_field_bytes: 4KiB
          max_chunk_line_bytes: 16KiB
          max_body_bytes: 20MB
          request_header_timeout: 5s
          request_body_timeout: 1m
          min_request_body_rate: 512
          keep_alive_timeout: 2m
          write_timeout: 250ms
        http2: { max_concurrent_streams: 500, initial_window_size: 65535, max_frame_size: 32KiB, max_resets: 50, reset_window: 10s, max_server_resets: 70 }
        event_loops: 4
        transport: epoll
        drain_timeout: 1h
        access_log: { format: json, path: /tmp/access.log, max_size: 100MiB, max_files: 3 }
        strip_request_headers: [X-User-Id, x-tenant]
        reload: { watch: true, debounce: 2s }
        tracing: { propagate: false, sampled: false }
      logging: { level: warn, levels: { io.sluice.upstream: debug, io.netty: error }, format: json }
      upstreams:
        users:
          endpoints: [ "http://127.0.0.1:9001", "http://LocalHost:9002" ]
          load_balancer: least_request
          timeouts: { connect: 1s, response: 15s, idle: 1d }
          max_connections_per_endpoint: 64
        orders:
          endpoints: [ "http://[::1]" ]
      routes:
        - id: users
          match:
            host: [API.example.com, "*.example.org"]
            path: /api/v1/users/{id}/**
            methods: [get, POST]
            headers: { X-Env: canary, x-debug: { present: true }, x-old: { absent: true }, x-v: { regex: "v[0-9]+" } }
            query: { version: "2", Debug: { present: true } }
          upstream: users
          rewrite: { strip_prefix: /api/v1 }
          timeout: 5s
          request_headers: { remove: [X-Internal], set: { x-gateway: sluice }, add: { X-Tag: a } }
          response_headers: { remove: [server] }
          max_body_bytes: 1MiB
        - id: orders
          match: { host: orders.example.com, path: "/orders/{id}" }
          upstream: orders
          rewrite: { replace_prefix: { from: /orders, to: /v2/orders } }
        - id: profile
          match: { path: "/u/{name}" }
          upstream: users
          rewrite: { path: "/users/{name}/profile" }
        - id: health
          match: { path: /healthz }
          respond: { status: 200, headers: { Content-Type: text/plain }, body: "ok\\n" }
          response_headers: { set: { cache-control: no-store } }
        - id: live
          match: { path: /ws/** }
          upstream: users
          websocket:
            allowed_origins: ["https://APP.example.com:443", "https://*.example.org"]
            max_message_bytes: 64KiB
            idle_timeout: 30s
            message_rate: { limit: 100, window: 1s }
      """;

  @Test
  void fullConfigBindsToTheExactRecords() throws Exception {
    LimitsConfig limits = new LimitsConfig(4096, 32768, 64, 4096, 16384, 20_000_000, Duration.ofSeconds(5), Duration.ofMinutes(1), 512,
        Duration.ofMinutes(2), Duration.ofMillis(250));
    ServerConfig server = new ServerConfig(
        List.of(new ListenerConfig("public", "0.0.0.0", 8080, List.of("http1"), null, ListenerConfig.UnderscoreHeaders.REJECT),
            new ListenerConfig("internal", "127.0.0.1", 8081, List.of("http1", "h2c"))),
        new AdminConfig(true, "127.0.0.1", 9901),
        List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")),
        limits, new Http2Config(500, 65_535, 32 * 1024, 50, Duration.ofSeconds(10), 70), 4,
        ServerConfig.IoTransport.EPOLL, Duration.ofHours(1),
        new AccessLogConfig(true, AccessLogConfig.Format.JSON, Path.of("/tmp/access.log"), 100L * 1024 * 1024, 3),
        DnsConfig.DEFAULTS, List.of("x-user-id", "x-tenant"), new ReloadConfig(true, Duration.ofSeconds(2)),
        new TracingConfig(false, false));
    LoggingConfig logging = new LoggingConfig(LoggingConfig.Level.WARN,
        orderedMap("io.sluice.upstream", LoggingConfig.Level.DEBUG, "io.netty", LoggingConfig.Level.ERROR), LoggingConfig.Format.JSON);
    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
    upstreams.put("users", new UpstreamConfig("users",
        List.of(new Endpoint("http", "127.0.0.1", 9001), new Endpoint("http", "localhost", 9002)),
        UpstreamConfig.LoadBalancing.LEAST_REQUEST,
        new UpstreamTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofDays(1)), 64));
    upstreams.put("orders", new UpstreamConfig("orders", List.of(new Endpoint("http", "::1", 80)),
        UpstreamConfig.LoadBalancing.ROUND_ROBIN, UpstreamTimeouts.DEFAULTS, 1024));
    RouteConfig users = new RouteConfig("users", new SourcePosition("sluice.yaml", 39, 5), 0,
        new RouteMatch(
            List.of(HostPattern.exact("api.example.com"), HostPattern.wildcard(".example.org")),
            PathPatterns.parse("/api/v1/users/{id}/**"),
            Set.of("GET", "POST"),
            List.of(ValueMatch.exact("x-env", "canary"), ValueMatch.present("x-debug"), ValueMatch.absent("x-old"),
                ValueMatch.regex("x-v", Pattern.compile("v[0-9]+"))),
            List.of(ValueMatch.exact("version", "2"), ValueMatch.present("Debug"))),
        new RouteAction.Forward("users", new Rewrite(Rewrite.Kind.STRIP_PREFIX, "/api/v1", ""), Duration.ofSeconds(5)),
        new HeaderOps(List.of("x-internal"), Map.of("x-gateway", "sluice"), Map.of("x-tag", "a")),
        new HeaderOps(List.of("server"), Map.of(), Map.of()),
        1024 * 1024);
    RouteConfig orders = new RouteConfig("orders", new SourcePosition("sluice.yaml", 52, 5), 1,
        new RouteMatch(List.of(HostPattern.exact("orders.example.com")), PathPatterns.parse("/orders/{id}"), Set.of(),
            List.of(), List.of()),
        new RouteAction.Forward("orders", new Rewrite(Rewrite.Kind.REPLACE_PREFIX, "/orders", "/v2/orders"), null),
        HeaderOps.NONE, HeaderOps.NONE, 20_000_000);
    RouteConfig profile = new RouteConfig("profile", new SourcePosition("sluice.yaml", 56, 5), 2,
        new RouteMatch(List.of(), PathPatterns.parse("/u/{name}"), Set.of(), List.of(), List.of()),
        new RouteAction.Forward("users", new Rewrite(Rewrite.Kind.TEMPLATE, "", "/users/{name}/profile"), null),
        HeaderOps.NONE, HeaderOps.NONE, 20_000_000);
    RouteConfig health = new RouteConfig("health", new SourcePosition("sluice.yaml", 60, 5), 3,
        new RouteMatch(List.of(), PathPatterns.parse("/healthz"), Set.of(), List.of(), List.of()),
        new RouteAction.Respond(200, Map.of("content-type", "text/plain"), "ok\n"),
        HeaderOps.NONE, new HeaderOps(List.of(), Map.of("cache-control", "no-store"), Map.of()),
        20_000_000);

    RouteConfig live = new RouteConfig("live", new SourcePosition("sluice.yaml", 64, 5), 4,
        new RouteMatch(List.of(), PathPatterns.parse("/ws/**"), Set.of(), List.of(), List.of()),
        new RouteAction.Forward("users", Rewrite.NONE, null), HeaderOps.NONE, HeaderOps.NONE, 20_000_000, List.of(),
        MatrixParameters.REFUSE, new WebSocketConfig(List.of("https://app.example.com", "https://*.example.org"), 64 * 1024,
            Duration.ofSeconds(30), new WebSocketConfig.MessageRate(100, Duration.ofSeconds(1))));

    GatewayConfig config = valid(FULL);

    assertThat(config)
        .usingRecursiveComparison()
        .withComparatorForType(Comparator.comparing(Pattern::pattern), Pattern.class)
        .isEqualTo(new GatewayConfig("sluice.yaml", server, upstreams, List.of(users, orders, profile, health, live), List.of(),
            List.of(), null, logging));
    assertThat(config.logging().levels().keySet()).containsExactly("io.sluice.upstream", "io.netty");
    assertThat(config.upstreams().keySet()).containsExactly("users", "orders");
  }

  private static <V> Map<String, V> orderedMap(String k1, V v1, String k2, V v2) {
    Map<String, V> map = new LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return map;
  }

  @Test
  void leftOutKeysTakeTheirDocumentedDefaults() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
        upstreams:
          users: { endpoints: ["http://users.internal"] }
        routes:
          - { id: users, match: { path: /users/** }, upstream: users }
        """);

    ServerConfig server = config.server();
    assertThat(server.listeners()).containsExactly(new ListenerConfig("public", "0.0.0.0", 8080, List.of("http1", "h2c")));
    assertThat(server.admin()).isEqualTo(new AdminConfig(false, "127.0.0.1", 9901));
    assertThat(server.trustedProxies()).isEmpty();
    assertThat(server.limits()).isEqualTo(LimitsConfig.DEFAULTS);
    assertThat(server.http2()).isEqualTo(Http2Config.DEFAULTS);
    assertThat(server.eventLoops()).isZero();
    assertThat(server.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(server.accessLog()).isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(server.tracing()).isEqualTo(TracingConfig.DEFAULTS);
    assertThat(config.logging()).isEqualTo(LoggingConfig.DEFAULTS);
    assertThat(server.stripRequestHeaders()).isEmpty();
    assertThat(config.upstreams().get("users")).isEqualTo(new UpstreamConfig("users", List.of(new Endpoint("http", "users.internal", 80)),
        UpstreamConfig.LoadBalancing.ROUND_ROBIN, UpstreamTimeouts.DEFAULTS, 1024));
    RouteConfig route = config.routes().get(0);
    assertThat(route.action()).isEqualTo(new RouteAction.Forward("users", Rewrite.NONE, null));
    assertThat(route.requestHeaders()).isEqualTo(HeaderOps.NONE);
    assertThat(route.responseHeaders()).isEqualTo(HeaderOps.NONE);
    assertThat(route.maxBodyBytes()).isEqualTo(LimitsConfig.DEFAULTS.maxBodyBytes());
    assertThat(route.match().hosts()).isEmpty();
    assertThat(route.match().methods()).isEmpty();
  }

  @Test
  void aRouteWithoutItsOwnBodyLimitGetsTheServerLimit() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
          limits: { max_body_bytes: 2MiB }
        routes:
          - { id: a, match: { path: /a }, respond: { status: 204 } }
          - { id: b, match: { path: /b }, respond: { status: 204 }, max_body_bytes: 0 }
        """);

    assertThat(config.routes()).extracting(RouteConfig::maxBodyBytes).containsExactly(2L * 1024 * 1024, 0L);
  }

  @Test
  void routesMayBeEmptyAndUpstreamsMayBeLeftOut() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 0 }]
        routes: []
        """);

    assertThat(config.routes()).isEmpty();
    assertThat(config.upstreams()).isEmpty();
  }

  @Test
  void anchorsAndAliasesShareAValue() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
        upstreams:
          a: { endpoints: ["http://10.0.0.1"], timeouts: &fast { connect: 1s, response: 5s } }
          b: { endpoints: ["http://10.0.0.2"], timeouts: *fast }
        routes: []
        """);

    UpstreamTimeouts fast = new UpstreamTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), UpstreamTimeouts.DEFAULTS.idle());
    assertThat(config.upstreams().get("a").timeouts()).isEqualTo(fast);
    assertThat(config.upstreams().get("b").timeouts()).isEqualTo(fast);
  }

  @Test
  void loadNamesTheFileAsGivenAndReadsTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(file, """
        server:
          listeners: [{ name: public, port: "${SLUICE_TEST_SURELY_UNSET_PORT:-8088}" }]
        routes: []
        """);

    GatewayConfig config = ConfigLoader.load(file);

    assertThat(config.source()).isEqualTo(file.toString());
    assertThat(config.server().listeners().get(0).port()).isEqualTo(8088);
  }

  @Test
  void loadReportsProblemsUnderTheFileName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "server:\n  listeners: []\nroutes: []\n");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("1 problem" + System.lineSeparator() + "  " + file + ":2:14 server.listeners: expected at least one listener");
  }
}
