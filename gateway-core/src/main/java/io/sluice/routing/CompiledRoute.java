package io.sluice.routing;

import io.sluice.config.MatrixParameters;
import io.sluice.config.PathPattern;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.RouteMatch;
import io.sluice.config.ValueMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A route as the table uses it: its {@link RouteConfig} plus everything precomputed for
 * matching (priority, path segments, parameter positions, conditions, path rewrite).
 */
public final class CompiledRoute {

  private final RouteConfig config;
  private final int priority;
  private final int sameHostRank;
  private final Set<String> methods;
  private final Condition[] conditions;
  private final String[] literals; // one per pattern segment; null where the segment is {param} or *
  private final String[] paramNames;
  private final int[] paramSegments; // the segment index of each parameter
  private final PathRewriter rewriter;
  private final RouteMatchResult.Matched matchedWithoutParams;
  private final MatrixParameters matrixParameters;
  private final RouteMatchResult.MatrixParametersRefused matrixRefused;
  private final UpstreamSplit split; // null unless the route splits between upstreams

  CompiledRoute(RouteConfig config, int priority, int sameHostRank) {
    RouteMatch match = config.match();
    this.config = config;
    this.priority = priority;
    this.sameHostRank = sameHostRank;
    this.methods = match.methods();
    this.conditions = conditions(match);
    List<PathPattern.Segment> segments = match.path().segments();
    this.literals = new String[segments.size()];
    List<String> names = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < segments.size(); i++) {
      switch (segments.get(i)) {
        case PathPattern.Literal literal -> literals[i] = literal.value();
        case PathPattern.Param param -> {
          names.add(param.name());
          positions.add(i);
        }
        case PathPattern.Wildcard wildcard -> { }
      }
    }
    this.paramNames = names.toArray(String[]::new);
    this.paramSegments = positions.stream().mapToInt(Integer::intValue).toArray();
    this.rewriter = config.action() instanceof RouteAction.Forward forward
        ? PathRewriter.of(forward.rewrite(), match.path())
        : PathRewriter.Unchanged.INSTANCE;
    this.matchedWithoutParams = new RouteMatchResult.Matched(this, PathParams.EMPTY);
    this.matrixParameters = config.matrixParameters();
    this.matrixRefused = new RouteMatchResult.MatrixParametersRefused(this);
    this.split = config.action() instanceof RouteAction.Forward forward && !forward.split().isEmpty()
        ? UpstreamSplit.of(forward.split()) : null;
  }

  /** The route's split between upstreams, or {@code null} when it forwards to one (or answers itself). */
  public UpstreamSplit split() {
    return split;
  }

  private static Condition[] conditions(RouteMatch match) {
    List<Condition> all = new ArrayList<>();
    for (ValueMatch header : match.headers()) {
      all.add(Condition.header(header));
    }
    for (ValueMatch query : match.query()) {
      all.add(Condition.query(query));
    }
    return all.toArray(Condition[]::new);
  }

  public RouteConfig config() {
    return config;
  }

  public String id() {
    return config.id();
  }

  /** The position of this route in {@link RouteTable#routes()}: 0 is tried first. */
  public int priority() {
    return priority;
  }

  /** The names of the path parameters, in pattern order. */
  public List<String> paramNames() {
    return List.of(paramNames);
  }

  /**
   * The path to send upstream for a request this route matched, after the route's rewrite.
   *
   * @param path the normalized request path, without query
   * @param params the parameters this route captured from it
   */
  public String upstreamPath(String path, PathParams params) {
    return rewriter.rewrite(path, params);
  }

  /**
   * As {@link #upstreamPath(String, PathParams)}, for a request whose path may have had matrix
   * parameters: a route with {@code matrix_parameters: forward} keeps them on the segments that
   * go upstream; any other route sends the path without them.
   *
   * @param matrixPath the normalized request path with its matrix parameters ({@link NormalizedPath.Ok#matrixPath})
   */
  public String upstreamPath(String path, String matrixPath, PathParams params) {
    if (matrixParameters != MatrixParameters.FORWARD || matrixPath.length() == path.length()) {
      return rewriter.rewrite(path, params);
    }
    return rewriter.rewrite(path, matrixPath, params);
  }

  /** The position in {@link RouteOrder#SAME_HOST}: the order among routes whose hosts rank alike. */
  int sameHostRank() {
    return sameHostRank;
  }

  boolean methodAllowed(String method) {
    return methods.isEmpty() || methods.contains(method);
  }

  Set<String> methods() {
    return methods;
  }

  /** Whether every header and query condition holds. */
  boolean conditionsHold(MatchInput input) {
    for (Condition condition : conditions) {
      if (!condition.holds(input)) {
        return false;
      }
    }
    return true;
  }

  List<Condition> conditions() {
    return List.of(conditions);
  }

  /** Matches the path against this route's pattern alone; the table uses its trie instead. */
  boolean pathMatches(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    int start = PathSegments.first(path);
    for (String literal : literals) {
      if (!PathSegments.has(path, start)) {
        return false;
      }
      int end = PathSegments.end(path, start);
      boolean segmentMatches = literal == null
          ? end > start
          : literal.length() == end - start && path.startsWith(literal, start);
      if (!segmentMatches) {
        return false;
      }
      start = end + 1;
    }
    return config.match().path().glob() || !PathSegments.has(path, start);
  }

  /**
   * The answer for a request this route matched: the match, or the route's refusal of matrix
   * parameters. The one place that decides it, for {@link RouteTable#match} and {@code sluice explain}.
   */
  RouteMatchResult result(MatchInput input) {
    if (input.hasMatrixParameters() && matrixParameters == MatrixParameters.REFUSE) {
      return matrixRefused;
    }
    return matched(input.path());
  }

  /** The match result for a path this route's pattern matched. */
  RouteMatchResult.Matched matched(String path) {
    if (paramNames.length == 0) {
      return matchedWithoutParams;
    }
    String[] values = new String[paramNames.length];
    int start = PathSegments.first(path);
    for (int segment = 0, next = 0; next < values.length; segment++) {
      int end = PathSegments.end(path, start);
      if (segment == paramSegments[next]) {
        values[next++] = path.substring(start, end);
      }
      start = end + 1;
    }
    return new RouteMatchResult.Matched(this, new PathParams(paramNames, values));
  }

  @Override
  public String toString() {
    return config.id() + " " + config.match().path();
  }
}
