package io.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.cli.Explain;
import io.sluice.cli.RouteListing;
import io.sluice.config.Endpoint;
import io.sluice.config.RouteAction;
import io.sluice.plugin.PluginSlot;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.routing.CompiledRoute;
import io.sluice.server.ConfigReloads;
import io.sluice.server.GatewayServer;
import io.sluice.spi.Purgeable;
import io.sluice.upstream.OutlierDetector;
import io.sluice.upstream.PoolStats;
import io.sluice.upstream.UpstreamCluster;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The admin endpoints, independent of the wire: a method, a target, the {@code Authorization}
 * header and a body in; an {@link Answer} out. JSON through Jackson; errors in the gateway's
 * error shape ({@code {"error": {"code", "message"}}}).
 */
final class AdminApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A response: status, content type, body and extra headers. */
  record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    static Answer json(int status, Object value) {
      try {
        return new Answer(status, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value), Map.of());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Answer error(int status, String code, String message) {
      return json(status, Map.of("error", Map.of("code", code, "message", message)));
    }

    Answer with(String header, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(header, value);
      return new Answer(status, contentType, body, more);
    }
  }

  private final GatewayServer gateway;
  private final ConfigReloads reloads;
  private final byte[] token;

  AdminApi(GatewayServer gateway, ConfigReloads reloads, String token) {
    this.gateway = gateway;
    this.reloads = reloads;
    this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  CompletableFuture<Answer> handle(String method, String target, String authorization, String body) {
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    if (token != null && (authorization == null
        || !MessageDigest.isEqual(token, authorization.getBytes(StandardCharsets.UTF_8)))) {
      return done(Answer.error(401, "UNAUTHORIZED", "admin requests need Authorization: Bearer <server.admin.token>")
          .with("www-authenticate", "Bearer realm=\"sluice-admin\""));
    }
    return switch (path) {
      case "/health" -> get(method, () -> Answer.json(200, Map.of("status", "up")));
      case "/ready" -> get(method, this::ready);
      case "/metrics" -> get(method, this::metrics);
      case "/admin/routes" -> get(method, this::routes);
      case "/admin/upstreams" -> method.equals("GET") || method.equals("HEAD")
          ? gateway.poolStats().thenApply(this::upstreams) : done(notAllowed("GET"));
      case "/admin/config" -> get(method, this::config);
      case "/admin/config/reload" -> method.equals("POST") ? reload() : done(notAllowed("POST"));
      case "/admin/cache/purge" -> method.equals("POST") ? done(purge(body)) : done(notAllowed("POST"));
      case "/admin/explain" -> method.equals("POST") ? done(explain(body)) : done(notAllowed("POST"));
      default -> done(Answer.error(404, "NOT_FOUND", "no admin endpoint " + path + " (see docs/operations.md#admin-listener)"));
    };
  }

  private static CompletableFuture<Answer> get(String method, java.util.function.Supplier<Answer> answer) {
    return done(method.equals("GET") || method.equals("HEAD") ? answer.get() : notAllowed("GET"));
  }

  private static Answer notAllowed(String allowed) {
    return Answer.error(405, "METHOD_NOT_ALLOWED", "use " + allowed).with("allow", allowed);
  }

  private static CompletableFuture<Answer> done(Answer answer) {
    return CompletableFuture.completedFuture(answer);
  }

  private Answer ready() {
    boolean draining = gateway.draining();
    boolean bound = !gateway.listeners().isEmpty();
    String memory = gateway.memoryPressure();
    // refusing every new request anyway: a load balancer should send them to another instance
    boolean ready = !draining && bound && !memory.equals("refuse");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ready", ready);
    out.put("draining", draining);
    out.put("memory_pressure", memory);
    out.put("listeners", gateway.listeners().stream()
        .map(l -> l.name() + " " + l.scheme() + "://" + l.address().getHostString() + ":" + l.address().getPort()).toList());
    return Answer.json(ready ? 200 : 503, out);
  }

  private Answer metrics() {
    if (gateway.meters() instanceof PrometheusMeterRegistry prometheus) {
      return new Answer(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape().getBytes(StandardCharsets.UTF_8),
          Map.of());
    }
    return Answer.error(503, "NO_METRICS", "this gateway keeps no Prometheus registry");
  }

  private Answer routes() {
    GatewaySnapshot snapshot = gateway.snapshot();
    List<Map<String, Object>> routes = new ArrayList<>();
    for (CompiledRoute route : snapshot.routes().routes()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("priority", route.priority() + 1);
      one.put("id", route.config().id());
      one.put("position", route.config().position().toString());
      one.put("match", RouteListing.describeMatch(route.config()));
      one.put("action", RouteListing.describeAction(route.config().action()));
      List<Map<String, Object>> plugins = new ArrayList<>();
      for (PluginSlot slot : snapshot.plugins().forRoute(route.config().id()).slots()) {
        Map<String, Object> plugin = new LinkedHashMap<>();
        plugin.put("name", slot.name());
        plugin.put("phase", slot.phase().name().toLowerCase(Locale.ROOT));
        plugin.put("priority", slot.priority());
        plugin.put("enforce", slot.enforce());
        plugin.put("blocking", slot.blocking());
        plugin.put("position", slot.position().toString());
        try {
          Map<String, Object> state = slot.plugin().state();
          if (state != null && !state.isEmpty()) {
            plugin.put("state", state);
          }
        } catch (RuntimeException e) {
          plugin.put("state_error", String.valueOf(e.getMessage()));
        }
        plugins.add(plugin);
      }
      one.put("plugins", plugins);
      routes.add(one);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", snapshot.config().source());
    out.put("routes", routes);
    out.put("warnings", snapshot.routes().shadowed().stream().map(s -> s.describe()).toList());
    out.put("text", RouteListing.render(snapshot.config(), snapshot.plugins()));
    return Answer.json(200, out);
  }

  /**
   * Removes stored responses from every plugin instance that keeps some ({@link Purgeable}): body
   * {@code {"target": "https://host/path?query"}} for one target, {@code {"prefix": "https://host/path/"}}
   * for all that start so; optional {@code "route"} limits it to one route's instances.
   */
  private Answer purge(String body) {
    JsonNode request;
    try {
      request = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (JsonProcessingException e) {
      return Answer.error(400, "BAD_REQUEST", "the body is not JSON: " + e.getOriginalMessage());
    }
    JsonNode target = request.get("target");
    JsonNode prefix = request.get("prefix");
    if ((target == null) == (prefix == null) || !(target == null ? prefix : target).isTextual()) {
      return Answer.error(400, "BAD_REQUEST",
          "expected a JSON object with \"target\" (one URI) or \"prefix\" (URIs starting with it), e.g. "
              + "{\"prefix\": \"https://api.example.com/v1/users/\"}");
    }
    String route = request.hasNonNull("route") ? request.get("route").asText() : null;
    GatewaySnapshot snapshot = gateway.snapshot();
    java.util.Set<Purgeable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    List<String> routes = new ArrayList<>();
    long purged = 0;
    for (CompiledRoute compiled : snapshot.routes().routes()) {
      String id = compiled.config().id();
      if (route != null && !route.equals(id)) {
        continue;
      }
      for (PluginSlot slot : snapshot.plugins().forRoute(id).slots()) {
        if (slot.plugin() instanceof Purgeable store && seen.add(store)) {
          purged += store.purge((target == null ? prefix : target).asText(), target == null);
          routes.add(id);
        }
      }
    }
    if (route != null && routes.isEmpty()) {
      return Answer.error(404, "NOT_FOUND", "route '" + route + "' has no plugin that stores responses");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("purged", purged);
    out.put("routes", routes);
    return Answer.json(200, out);
  }

  private Answer upstreams(Map<Endpoint, PoolStats> pools) {
    Map<String, Object> out = new LinkedHashMap<>();
    GatewaySnapshot snapshot = gateway.snapshot();
    for (UpstreamCluster upstream : snapshot.upstreams().values()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("protocol", upstream.config().protocol().name().toLowerCase(Locale.ROOT));
      one.put("load_balancer", upstream.config().loadBalancer().toString().toLowerCase(Locale.ROOT));
      one.put("health_checked", upstream.config().healthCheck() != null);
      one.put("failing_open", upstream.health().isFailingOpen());
      OutlierDetector outliers = upstream.outliers();
      if (outliers != null) {
        one.put("outlier_detection", Map.of("ejected", outliers.ejectedCount(), "max_ejected", outliers.maxEjected()));
      }
      one.put("retries_in_flight", upstream.retryBudget().retrying());
      one.put("pending_requests", upstream.pending());
      one.put("max_pending_requests", upstream.config().maxPendingRequests());
      List<Endpoint> healthy = upstream.health().healthy();
      List<Map<String, Object>> endpoints = new ArrayList<>();
      for (Endpoint endpoint : upstream.config().endpoints()) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("endpoint", endpoint.toString());
        state.put("healthy", healthy.contains(endpoint));
        if (outliers != null) {
          state.put("ejected", outliers.isEjected(endpoint));
          state.put("ejections", outliers.ejections(endpoint));
        }
        PoolStats pool = pools.getOrDefault(endpoint, PoolStats.EMPTY);
        state.put("pool", Map.of("open_connections", pool.openConnections(), "in_flight", pool.inFlight(),
            "connections_opened", pool.connectionsOpened()));
        endpoints.add(state);
      }
      one.put("endpoints", endpoints);
      List<Map<String, Object>> guards = pluginStates(snapshot, upstream.name());
      if (!guards.isEmpty()) {
        one.put("plugins", guards);
      }
      out.put(upstream.name(), one);
    }
    return Answer.json(200, Map.of("upstreams", out));
  }

  /**
   * What the plugins of the routes that forward to {@code upstream} report of their state (a circuit
   * breaker's, say). Identical reports of one plugin are one entry listing its routes: routes whose
   * breakers share the upstream's state report the same.
   */
  private static List<Map<String, Object>> pluginStates(GatewaySnapshot snapshot, String upstream) {
    Map<List<Object>, Map<String, Object>> byReport = new LinkedHashMap<>();
    for (CompiledRoute route : snapshot.routes().routes()) {
      if (!(route.config().action() instanceof RouteAction.Forward forward) || !forward.upstreams().contains(upstream)) {
        continue;
      }
      for (PluginSlot slot : snapshot.plugins().forRoute(route.config().id()).slots()) {
        Map<String, Object> state;
        try {
          state = slot.plugin().state();
        } catch (RuntimeException e) {
          continue; // shown with its error under /admin/routes
        }
        if (state == null || state.isEmpty()) {
          continue;
        }
        Map<String, Object> entry = byReport.computeIfAbsent(List.of(slot.name(), state), k -> {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("plugin", slot.name());
          one.put("routes", new ArrayList<String>());
          one.put("state", state);
          return one;
        });
        @SuppressWarnings("unchecked")
        List<String> routes = (List<String>) entry.get("routes");
        if (!routes.contains(route.config().id())) {
          routes.add(route.config().id());
        }
      }
    }
    return new ArrayList<>(byReport.values());
  }

  private Answer config() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (reloads == null) {
      out.put("file", gateway.snapshot().config().source());
    } else {
      ConfigReloads.Running running = reloads.running();
      out.put("file", running.file());
      out.put("version", running.version());
      out.put("loaded_at", running.loadedAt().toString());
      out.put("last_reload", reloads.last() == null ? null : result(reloads.last()));
    }
    return Answer.json(200, out);
  }

  private static Map<String, Object> result(ConfigReloads.Result result) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("result", result.success() ? "success" : "failure");
    out.put("trigger", result.trigger());
    out.put("at", result.at().toString());
    out.put("version", result.version());
    out.put("problems", result.problems());
    out.put("restart_only", result.restartOnly());
    return out;
  }

  private CompletableFuture<Answer> reload() {
    if (reloads == null) {
      return done(Answer.error(409, "NO_CONFIG_FILE", "this gateway was not started from a config file"));
    }
    return reloads.reload("admin").thenApply(result -> Answer.json(result.success() ? 200 : 422, result(result)));
  }

  private Answer explain(String body) {
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return Answer.error(400, "BAD_REQUEST", "the body is not JSON: " + e.getOriginalMessage());
    }
    if (request == null || !request.path("method").isTextual() || !request.path("url").isTextual()) {
      return Answer.error(400, "BAD_REQUEST",
          "expected {\"method\": \"GET\", \"url\": \"http://host/path\", \"headers\": {\"name\": \"value\"}}");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.path("headers").properties().forEach(header ->
        headers.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(header.getValue().asText()));
    try {
      String text = Explain.explain(gateway.snapshot().config(), request.get("method").asText(), request.get("url").asText(),
          headers);
      return Answer.json(200, Map.of("explanation", text));
    } catch (IllegalArgumentException e) {
      return Answer.error(400, "BAD_REQUEST", e.getMessage());
    }
  }
}
