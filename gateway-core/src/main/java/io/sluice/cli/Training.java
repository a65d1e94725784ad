package io.sluice.cli;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.AccessLog;
import io.sluice.server.GatewayServer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code sluice train}: realistic traffic through an in-process gateway in front of the demo
 * upstream, on 127.0.0.1 and free ports, for a JVM started with {@code -XX:AOTCacheOutput}
 * (the launcher does that): the classes it loads, linked, and the method profiles it gathers go
 * into the AOT cache that later {@code run}s start from, so a new process answers its first
 * requests with warm code instead of interpreting them (JEP 483, 514, 515; Java 25+).
 *
 * <p>The traffic covers what most gateways do: HTTP/1.1 and HTTP/2 clients, forwarded requests
 * with and without bodies, direct answers, unknown routes, and the built-in plugins that are
 * installed (cors, jwt, rate_limit, circuit_breaker). It never leaves the machine.
 */
final class Training {

  static final int DEFAULT_REQUESTS = 20_000;
  private static final int IN_FLIGHT = 16;
  private static final String SECRET = "training-secret-that-is-long-enough-for-hs256";
  private static final String ISSUER = "https://training.sluice.invalid";

  private Training() {}

  static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    int requests = DEFAULT_REQUESTS;
    if (args.size() == 2 && args.get(0).equals("--requests")) {
      try {
        requests = Integer.parseInt(args.get(1));
      } catch (NumberFormatException e) {
        throw new Sluice.UsageException("--requests takes a number, not '" + args.get(1) + "'");
      }
    } else if (!args.isEmpty()) {
      throw new Sluice.UsageException("train takes no arguments, or --requests N");
    }
    PluginRegistry plugins = PluginRegistry.builtIn();
    try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
      GatewayConfig config = ConfigLoader.parse(config(plugins), "training.yaml",
          Map.of("UPSTREAM", String.valueOf(upstream.port()), "SECRET", SECRET)::get, plugins.catalog());
      GatewayServer server = GatewayServer.start(config, plugins, AccessLog.disabled());
      try {
        int port = server.port("training");
        long started = System.nanoTime();
        int[] byClass = drive(port, requests, plugins);
        out.printf("trained on %d requests in %d ms: %d 2xx, %d 4xx (unknown routes), %d other, %d unanswered%n", requests,
            (System.nanoTime() - started) / 1_000_000, byClass[2], byClass[4], byClass[1] + byClass[3] + byClass[5],
            byClass[0]);
      } finally {
        server.drainAndStop(Duration.ZERO);
      }
    }
    return Sluice.OK;
  }

  /** A route per kind of work, the plugin routes only with the plugins that are installed. */
  static String config(PluginRegistry plugins) {
    StringBuilder yaml = new StringBuilder("""
        server:
          listeners: [ { name: training, bind: 127.0.0.1, port: 0 } ]
          access_log: false
        upstreams:
          demo: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: direct, match: { path: /healthz }, respond: { status: 200, body: "ok" } }
          - { id: plain, match: { path: /plain/** }, upstream: demo }
        """);
    List<String> chain = new ArrayList<>();
    if (plugins.get("cors") != null) {
      chain.add("{ cors: { allow_origins: [\"https://app.example.com\"], allow_headers: [authorization] } }");
    }
    if (plugins.get("jwt") != null) {
      chain.add("{ jwt: { issuers: [ { issuer: \"" + ISSUER + "\", secrets: [\"${SECRET}\"], algorithms: [HS256],"
          + " audiences: [training] } ], forward_claims: { sub: x-user-id } } }");
    }
    if (plugins.get("rate_limit") != null) {
      chain.add("{ rate_limit: { algorithm: token_bucket, limit: 100000000, window: 1s, key: client_ip } }");
    }
    if (plugins.get("circuit_breaker") != null) {
      chain.add("{ circuit_breaker: { consecutive_failures: 1000000 } }");
    }
    yaml.append("  - { id: api, match: { path: /api/** }, upstream: demo, plugins: [ ")
        .append(String.join(", ", chain)).append(" ] }\n");
    return yaml.toString();
  }

  /** Sends {@code requests} requests, at most {@link #IN_FLIGHT} at once; returns the count per status class (0: none). */
  private static int[] drive(int port, int requests, PluginRegistry plugins) throws Exception {
    String token = plugins.get("jwt") != null ? "Bearer " + hs256Token() : "Bearer none";
    HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(); // h2c by upgrade
    Semaphore slots = new Semaphore(IN_FLIGHT);
    java.util.concurrent.atomic.AtomicIntegerArray byClass = new java.util.concurrent.atomic.AtomicIntegerArray(6);
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      HttpRequest request = request(port, i, token);
      HttpClient client = i % 4 == 3 ? http2 : http1;
      slots.acquire();
      pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
        slots.release();
        byClass.incrementAndGet(failure == null ? Math.min(5, response.statusCode() / 100) : 0);
      }));
      if (pending.size() >= 1024) {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        pending.clear();
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    int[] out = new int[6];
    for (int i = 0; i < out.length; i++) {
      out[i] = byClass.get(i);
    }
    return out;
  }

  private static HttpRequest request(int port, int i, String token) {
    String base = "http://127.0.0.1:" + port;
    return switch (i % 8) {
      case 0, 1, 2 -> HttpRequest.newBuilder(URI.create(base + "/api/items/" + (i % 100) + "?page=" + (i % 7)))
          .header("Authorization", token).header("Origin", "https://app.example.com").build();
      case 3 -> HttpRequest.newBuilder(URI.create(base + "/api/items")).header("Authorization", token)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"item " + i + "\"}")).build();
      case 4, 5 -> HttpRequest.newBuilder(URI.create(base + "/plain/resource/" + i)).build();
      case 6 -> HttpRequest.newBuilder(URI.create(base + "/healthz")).build();
      default -> HttpRequest.newBuilder(URI.create(base + "/nowhere")).build();
    };
  }

  private static String hs256Token() throws GeneralSecurityException {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    long now = System.currentTimeMillis() / 1000;
    String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = base64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"aud\":\"training\",\"sub\":\"trainer\",\"iat\":"
        + now + ",\"exp\":" + (now + 3600) + "}").getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = base64.encodeToString(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
    return header + "." + claims + "." + signature;
  }
}
