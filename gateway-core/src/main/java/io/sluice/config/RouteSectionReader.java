package io.sluice.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code routes:}, checking each route against the upstreams it names and its own path pattern. */
final class RouteSectionReader {

  static final List<String> KEYS = List.of(
      "id", "match", "upstream", "respond", "rewrite", "timeout", "retry_non_idempotent", "retry", "request_headers",
      "response_headers", "max_body_bytes", "plugins", "matrix_parameters", "websocket");
  static final List<String> RESPOND_KEYS = List.of("status", "headers", "body");

  private static final Map<String, MatrixParameters> MATRIX_PARAMETERS = UpstreamSectionReader.words(MatrixParameters.values());

  /** Keys that describe the trip upstream, meaningless on a route that answers itself. */
  private static final List<String> FORWARD_ONLY_KEYS =
      List.of("rewrite", "timeout", "retry_non_idempotent", "retry", "request_headers", "websocket");

  private final Set<String> upstreamNames;
  private final Map<String, UpstreamConfig> upstreams;
  private final long defaultMaxBodyBytes;
  private final PluginSectionReader plugins;
  private final FirstSeen ids = new FirstSeen("route id");

  private RouteSectionReader(Map<String, UpstreamConfig> upstreams, long defaultMaxBodyBytes, PluginSectionReader plugins) {
    this.upstreamNames = upstreams.keySet();
    this.upstreams = upstreams;
    this.defaultMaxBodyBytes = defaultMaxBodyBytes;
    this.plugins = plugins;
  }

  /**
   * @param upstreams every upstream written, by name, including those with mistakes
   * @param defaultMaxBodyBytes the server's body limit, stored in routes that do not set their own
   * @param plugins reads each route's {@code plugins:} against the installed plugins and the global list
   */
  static List<RouteConfig> read(YamlNode node, Map<String, UpstreamConfig> upstreams, long defaultMaxBodyBytes,
      PluginSectionReader plugins) {
    RouteSectionReader reader = new RouteSectionReader(upstreams, defaultMaxBodyBytes, plugins);
    List<RouteConfig> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      out.add(reader.route(item, out.size()));
    }
    return out;
  }

  private RouteConfig route(YamlNode node, int index) {
    YamlMap route = node.map(KEYS);
    Optional<String> id = ids.requiredName(route, "id", "a route id");
    RouteMatch match = route.required("match").map(MatchReader::read).orElse(null);
    RouteAction action = action(node, route, match == null ? null : match.path());
    HeaderOps requestHeaders = route.optional("request_headers").map(HeaderOpsReader::read).orElse(HeaderOps.NONE);
    HeaderOps responseHeaders = route.optional("response_headers").map(HeaderOpsReader::read).orElse(HeaderOps.NONE);
    long maxBodyBytes = route.optional("max_body_bytes").flatMap(n -> n.size(0, Long.MAX_VALUE)).orElse(defaultMaxBodyBytes);
    List<PluginUse> uses = route.optional("plugins").map(plugins::read).orElse(List.of());
    MatrixParameters matrix = route.optional("matrix_parameters").flatMap(n -> matrixParameters(n, action))
        .orElse(MatrixParameters.REFUSE);
    WebSocketConfig websocket = action instanceof RouteAction.Forward forward
        ? route.optional("websocket").map(n -> websocket(n, forward)).orElse(null) : null;
    return new RouteConfig(id.orElse(""), node.position(), index, match, action, requestHeaders, responseHeaders, maxBodyBytes, uses,
        matrix, websocket);
  }

  /** A WebSocket upgrade is an HTTP/1.1 mechanism: the upstream must speak HTTP/1.1. */
  private WebSocketConfig websocket(YamlNode node, RouteAction.Forward forward) {
    UpstreamConfig upstream = upstreams.get(forward.upstream());
    if (upstream != null && upstream.protocol() != null && upstream.protocol().isHttp2()) {
      node.problem("WebSocket connections need an HTTP/1.1 upstream, but '" + forward.upstream() + "' speaks "
          + upstream.protocol().name().toLowerCase(java.util.Locale.ROOT) + " (expected: an upstream with protocol http1)");
    }
    return WebSocketReader.read(node);
  }

  /** {@code forward} needs somewhere to forward them to, and a rewrite that keeps the segments they sit on. */
  private static Optional<MatrixParameters> matrixParameters(YamlNode node, RouteAction action) {
    Optional<MatrixParameters> mode = node.oneOf("matrix_parameters value", MATRIX_PARAMETERS);
    if (mode.orElse(null) != MatrixParameters.FORWARD) {
      return mode;
    }
    if (action instanceof RouteAction.Respond) {
      node.problem("'forward' applies only to routes with 'upstream' (expected: refuse or strip)");
      return Optional.empty();
    }
    if (action instanceof RouteAction.Forward forward && forward.rewrite().kind() == Rewrite.Kind.TEMPLATE) {
      node.problem("'forward' cannot be combined with rewrite 'path', which builds a new path with no place for them"
          + " (expected: strip, or a strip_prefix or replace_prefix rewrite)");
      return Optional.empty();
    }
    return mode;
  }

  /** Exactly one of {@code upstream} and {@code respond}. */
  private RouteAction action(YamlNode node, YamlMap route, PathPattern path) {
    boolean forwards = route.has("upstream");
    boolean responds = route.has("respond");
    if (forwards && responds) {
      node.problem("expected either 'upstream' or 'respond', not both");
      return null;
    }
    if (forwards) {
      return forward(route, path);
    }
    for (String key : FORWARD_ONLY_KEYS) {
      route.keyNode(key).ifPresent(k -> k.problem(Messages.quote(key) + " applies only to routes with 'upstream'"));
    }
    if (responds) {
      return route.optional("respond").map(RouteSectionReader::respond).orElse(null);
    }
    if (!route.isBroken()) {
      node.problem("missing 'upstream' or 'respond' (expected: an upstream to forward to, or a response to answer with)");
    }
    return null;
  }

  private RouteAction forward(YamlMap route, PathPattern path) {
    Optional<String> upstream = route.optional("upstream").flatMap(n -> n.as("an upstream name", this::knownUpstream));
    Rewrite rewrite = route.optional("rewrite").map(n -> RewriteReader.read(n, path)).orElse(Rewrite.NONE);
    Duration timeout = route.optional("timeout").flatMap(n -> n.duration(false)).orElse(null);
    boolean retryNonIdempotent = route.optional("retry_non_idempotent").flatMap(YamlNode::bool).orElse(false);
    RetryPolicy retry = route.optional("retry").map(RetryReader::read).orElse(null);
    return new RouteAction.Forward(upstream.orElse(""), rewrite, timeout, retryNonIdempotent, retry);
  }

  private String knownUpstream(String name) {
    if (upstreamNames.contains(name)) {
      return name;
    }
    String hint = upstreamNames.isEmpty() ? "no upstreams are defined under 'upstreams'" : DidYouMean.hint(name, upstreamNames);
    throw new IllegalArgumentException("unknown upstream " + Messages.quote(name) + " (" + hint + ")");
  }

  private static RouteAction respond(YamlNode node) {
    YamlMap respond = node.map(RESPOND_KEYS);
    int status = respond.required("status").flatMap(n -> n.integer(200, 599, "an HTTP status 200..599")).orElse(200);
    Map<String, String> headers = respond.optional("headers").map(n -> HeaderOpsReader.values(n, "set")).orElse(Map.of());
    String body = respond.optional("body").flatMap(n -> n.text("a response body")).orElse("");
    return new RouteAction.Respond(status, headers, body);
  }
}
