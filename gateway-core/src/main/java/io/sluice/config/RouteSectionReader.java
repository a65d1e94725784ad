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
      "id", "match", "upstream", "upstreams", "respond", "rewrite", "timeout", "retry_non_idempotent", "retry",
      "request_headers", "response_headers", "max_body_bytes", "plugins", "matrix_parameters", "websocket", "mirror");
  static final List<String> RESPOND_KEYS = List.of("status", "headers", "body");
  static final List<String> SPLIT_KEYS = List.of("upstream", "weight", "headers");
  static final List<String> MIRROR_KEYS = List.of("upstream", "percent", "max_body_bytes");

  private static final Map<String, MatrixParameters> MATRIX_PARAMETERS = UpstreamSectionReader.words(MatrixParameters.values());

  /** Keys that describe the trip upstream, meaningless on a route that answers itself. */
  private static final List<String> FORWARD_ONLY_KEYS =
      List.of("rewrite", "timeout", "retry_non_idempotent", "retry", "request_headers", "websocket", "mirror");

  /** Weights are relative; a million leaves room for shares of a millionth. */
  static final int MAX_WEIGHT = 1_000_000;

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
    if (websocket != null && ((RouteAction.Forward) action).mirror() != null) {
      route.keyNode("mirror").ifPresent(k -> k.problem("'mirror' does not apply to WebSocket routes, whose connections"
          + " cannot be copied (expected: mirror on a route without websocket)"));
    }
    return new RouteConfig(id.orElse(""), node.position(), index, match, action, requestHeaders, responseHeaders, maxBodyBytes, uses,
        matrix, websocket);
  }

  /** A WebSocket upgrade is an HTTP/1.1 mechanism: the upstream must speak HTTP/1.1. */
  private WebSocketConfig websocket(YamlNode node, RouteAction.Forward forward) {
    for (String name : forward.upstreams()) {
      UpstreamConfig upstream = upstreams.get(name);
      if (upstream != null && upstream.protocol() != null && upstream.protocol().isHttp2()) {
        node.problem("WebSocket connections need an HTTP/1.1 upstream, but '" + name + "' speaks "
            + upstream.protocol().name().toLowerCase(java.util.Locale.ROOT) + " (expected: an upstream with protocol http1)");
      }
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

  /** Exactly one of {@code upstream}, {@code upstreams} and {@code respond}. */
  private RouteAction action(YamlNode node, YamlMap route, PathPattern path) {
    boolean forwards = route.has("upstream") || route.has("upstreams");
    boolean responds = route.has("respond");
    if (route.has("upstream") && route.has("upstreams")) {
      node.problem("expected either 'upstream' (one) or 'upstreams' (a split), not both");
      return null;
    }
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
    List<WeightedUpstream> split = route.optional("upstreams").map(this::split).orElse(List.of());
    Optional<String> upstream = split.isEmpty()
        ? route.optional("upstream").flatMap(n -> n.as("an upstream name", this::knownUpstream))
        : Optional.of(split.get(0).upstream());
    Rewrite rewrite = route.optional("rewrite").map(n -> RewriteReader.read(n, path)).orElse(Rewrite.NONE);
    Duration timeout = route.optional("timeout").flatMap(n -> n.duration(false)).orElse(null);
    boolean retryNonIdempotent = route.optional("retry_non_idempotent").flatMap(YamlNode::bool).orElse(false);
    RetryPolicy retry = route.optional("retry").map(RetryReader::read).orElse(null);
    MirrorConfig mirror = route.optional("mirror").map(this::mirror).orElse(null);
    return new RouteAction.Forward(upstream.orElse(""), rewrite, timeout, retryNonIdempotent, retry, split, mirror);
  }

  /** {@code mirror: { upstream, percent, max_body_bytes }}. */
  private MirrorConfig mirror(YamlNode node) {
    YamlMap mirror = node.map(MIRROR_KEYS);
    Optional<String> upstream = mirror.required("upstream").flatMap(n -> n.as("an upstream name", this::knownUpstream));
    double fraction = mirror.optional("percent")
        .flatMap(n -> n.as(Percentages.EXPECTED, t -> Percentages.parse(t, false))).orElse(1.0);
    long maxBody = mirror.optional("max_body_bytes").flatMap(n -> n.size(0, Integer.MAX_VALUE))
        .orElse(MirrorConfig.MAX_BODY_BYTES_DEFAULT);
    return upstream.map(u -> new MirrorConfig(u, fraction, maxBody)).orElse(null);
  }

  /**
   * {@code upstreams:}, a list of {@code { upstream, weight, headers }}: each upstream once, and
   * some weight above 0 for the requests no {@code headers} override claims.
   */
  private List<WeightedUpstream> split(YamlNode node) {
    List<YamlNode> items = node.nonEmptyList("entry such as { upstream: users-v2, weight: 10 }");
    FirstSeen seen = new FirstSeen("upstream");
    List<WeightedUpstream> out = new ArrayList<>();
    long total = 0;
    for (YamlNode item : items) {
      YamlMap entry = item.map(SPLIT_KEYS);
      Optional<String> name = entry.required("upstream").flatMap(n -> n.as("an upstream name", this::knownUpstream));
      entry.optional("upstream").ifPresent(n -> name.ifPresent(u -> seen.add(n, u)));
      int weight = entry.required("weight").flatMap(n -> n.integer(0, MAX_WEIGHT, "a weight from 0 to " + MAX_WEIGHT))
          .orElse(1);
      List<ValueMatch> headers = entry.optional("headers").map(n -> MatchReader.conditions(n, true)).orElse(List.of());
      total += weight;
      name.ifPresent(u -> out.add(new WeightedUpstream(u, weight, headers)));
    }
    if (total == 0 && !items.isEmpty()) {
      node.problem("every weight is 0, so requests without an override would have nowhere to go"
          + " (expected: at least one entry with a weight above 0)");
    }
    return out.size() == items.size() ? out : List.of();
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
