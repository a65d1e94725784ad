package io.sluice.routing;

import io.sluice.config.HeaderOps;
import io.sluice.config.HostPattern;
import io.sluice.config.MatrixParameters;
import io.sluice.config.PathPattern;
import io.sluice.config.Rewrite;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.RouteMatch;
import io.sluice.config.SourcePosition;
import io.sluice.config.ValueMatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds config records the way the YAML loader would, and requests to match against them. */
final class RouteFixture {

  private RouteFixture() {}

  static RouteBuilder route(String id) {
    return new RouteBuilder(id);
  }

  /** A table of the routes, each with its position in the argument list as its YAML index. */
  static RouteTable table(RouteBuilder... routes) {
    List<RouteConfig> configs = new ArrayList<>();
    for (RouteBuilder route : routes) {
      configs.add(route.build(configs.size()));
    }
    return RouteTable.compile(configs);
  }

  /** Parses {@code /users/{id}/*}{@code /**} the way the config loader does. */
  static PathPattern path(String text) {
    List<PathPattern.Segment> segments = new ArrayList<>();
    boolean glob = text.endsWith("/**");
    String body = glob ? text.substring(0, text.length() - 3) : text;
    if (!body.isEmpty() && !body.equals("/")) {
      for (String segment : body.substring(1).split("/", -1)) {
        if (segment.equals("*")) {
          segments.add(new PathPattern.Wildcard());
        } else if (segment.startsWith("{") && segment.endsWith("}")) {
          segments.add(new PathPattern.Param(segment.substring(1, segment.length() - 1)));
        } else {
          segments.add(new PathPattern.Literal(segment));
        }
      }
    }
    return new PathPattern(text, segments, glob);
  }

  static HostPattern host(String text) {
    return text.startsWith("*.") ? HostPattern.wildcard(text.substring(1)) : HostPattern.exact(text);
  }

  static RequestBuilder request(String method, String pathAndQuery) {
    return new RequestBuilder(method, pathAndQuery);
  }

  static RequestBuilder get(String pathAndQuery) {
    return request("GET", pathAndQuery);
  }

  /** The id of the route the request goes to, or "404" / "405 [allowed]". */
  static String outcome(RouteTable table, RequestBuilder request) {
    return switch (table.match(request.input())) {
      case RouteMatchResult.Matched matched -> matched.route().id();
      case RouteMatchResult.MethodNotAllowed notAllowed -> "405 " + notAllowed.allowedMethods();
      case RouteMatchResult.NoRoute none -> "404";
      case RouteMatchResult.MatrixParametersRefused refused -> "400 " + refused.route().id();
    };
  }

  static final class RouteBuilder {
    private final String id;
    private final List<HostPattern> hosts = new ArrayList<>();
    private PathPattern path = RouteFixture.path("/**");
    private Set<String> methods = Set.of();
    private final List<ValueMatch> headers = new ArrayList<>();
    private final List<ValueMatch> query = new ArrayList<>();
    private Rewrite rewrite = Rewrite.NONE;
    private MatrixParameters matrixParameters = MatrixParameters.REFUSE;

    private RouteBuilder(String id) {
      this.id = id;
    }

    RouteBuilder hosts(String... patterns) {
      Arrays.stream(patterns).map(RouteFixture::host).forEach(hosts::add);
      return this;
    }

    RouteBuilder path(String pattern) {
      this.path = RouteFixture.path(pattern);
      return this;
    }

    RouteBuilder methods(String... methods) {
      this.methods = Set.of(methods);
      return this;
    }

    RouteBuilder header(ValueMatch condition) {
      headers.add(condition);
      return this;
    }

    RouteBuilder query(ValueMatch condition) {
      query.add(condition);
      return this;
    }

    RouteBuilder rewrite(Rewrite.Kind kind, String from, String to) {
      this.rewrite = new Rewrite(kind, from, to);
      return this;
    }

    RouteBuilder matrixParameters(MatrixParameters mode) {
      this.matrixParameters = mode;
      return this;
    }

    RouteConfig build(int index) {
      return new RouteConfig(
          id,
          new SourcePosition("sluice.yaml", 10 + 4 * index, 5),
          index,
          new RouteMatch(hosts, path, methods, headers, query),
          new RouteAction.Forward("backend", rewrite, null),
          HeaderOps.NONE,
          HeaderOps.NONE,
          1 << 20,
          List.of(),
          matrixParameters);
    }
  }

  static final class RequestBuilder {
    private final String method;
    private final String path;
    private final String query;
    private String host = "";
    private final Map<String, List<String>> headers = new LinkedHashMap<>();

    private RequestBuilder(String method, String pathAndQuery) {
      int question = pathAndQuery.indexOf('?');
      this.method = method;
      this.path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
      this.query = question < 0 ? "" : pathAndQuery.substring(question + 1);
    }

    RequestBuilder host(String host) {
      this.host = host;
      return this;
    }

    RequestBuilder header(String name, String value) {
      headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      return this;
    }

    /** The request as the proxy would match it; a path with ';' is split as the normalizer does, others are taken as normal. */
    MatchInput input() {
      NormalizedPath.Ok normalized = path.indexOf(';') >= 0
          ? (NormalizedPath.Ok) PathNormalizer.normalize(path)
          : new NormalizedPath.Ok(path);
      return MatchInput.of(method, host, normalized, headers, query);
    }

    /** The path with matrix parameters, as a route that forwards them gets it before rewriting. */
    String matrixPath() {
      return path.indexOf(';') >= 0 ? ((NormalizedPath.Ok) PathNormalizer.normalize(path)).matrixPath() : path;
    }
  }
}
