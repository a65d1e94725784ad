package io.sluice.routing;

import io.sluice.config.PathPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes of one host bucket as a segment trie. Each node has literal children, at most one
 * child for {@code {param}} and {@code *}, the routes whose pattern ends there, and the routes
 * whose pattern ends there with {@code /**}.
 *
 * <p>A lookup visits literal child, then variable child, then the routes ending at a node, then
 * its glob routes: the same order as {@link RouteOrder#comparePaths}. Routes in each node list
 * are sorted by the rest of the rule, so the first route whose conditions hold is the best one
 * and the walk stops there. Each node is visited at most once, so a lookup is bounded by the
 * path depth and the nodes on it, never by the number of routes.
 */
final class PathTrie {

  private static final CompiledRoute[] NO_ROUTES = new CompiledRoute[0];

  private final Node root;

  private PathTrie(Node root) {
    this.root = root;
  }

  /** Builds a trie; {@code routes} must be in {@link CompiledRoute#sameHostRank} order. */
  static PathTrie of(List<CompiledRoute> routes) {
    Draft root = new Draft();
    for (CompiledRoute route : routes) {
      Draft node = root;
      PathPattern pattern = route.config().match().path();
      for (PathPattern.Segment segment : pattern.segments()) {
        node = segment instanceof PathPattern.Literal literal
            ? node.literals.computeIfAbsent(literal.value(), v -> new Draft())
            : node.variable();
      }
      (pattern.glob() ? node.glob : node.terminal).add(route);
    }
    return new PathTrie(root.freeze());
  }

  /**
   * The best route whose path, method and conditions match, or {@code null}. With
   * {@code allowed} not null it finds nothing and instead adds the methods of every route that
   * matches all but the method: the slow second pass that decides between 404 and 405.
   */
  CompiledRoute find(String path, MatchInput input, Set<String> allowed) {
    return walk(root, path, PathSegments.first(path), input, allowed);
  }

  private static CompiledRoute walk(Node node, String path, int start, MatchInput input, Set<String> allowed) {
    if (!PathSegments.has(path, start)) {
      CompiledRoute hit = first(node.terminal, input, allowed);
      return hit != null ? hit : first(node.glob, input, allowed);
    }
    int end = PathSegments.end(path, start);
    Node literal = node.literals.get(path, start, end);
    if (literal != null) {
      CompiledRoute hit = walk(literal, path, end + 1, input, allowed);
      if (hit != null) {
        return hit;
      }
    }
    if (node.variable != null && end > start) {
      CompiledRoute hit = walk(node.variable, path, end + 1, input, allowed);
      if (hit != null) {
        return hit;
      }
    }
    return first(node.glob, input, allowed);
  }

  private static CompiledRoute first(CompiledRoute[] routes, MatchInput input, Set<String> allowed) {
    for (CompiledRoute route : routes) {
      if (allowed == null) {
        if (route.methodAllowed(input.method()) && route.conditionsHold(input)) {
          return route;
        }
      } else if (!route.methodAllowed(input.method()) && route.conditionsHold(input)) {
        allowed.addAll(route.methods());
      }
    }
    return null;
  }

  private record Node(SegmentMap<Node> literals, Node variable, CompiledRoute[] terminal, CompiledRoute[] glob) {}

  /** A node while the trie is built. */
  private static final class Draft {
    final Map<String, Draft> literals = new LinkedHashMap<>();
    final List<CompiledRoute> terminal = new ArrayList<>();
    final List<CompiledRoute> glob = new ArrayList<>();
    Draft variable;

    Draft variable() {
      if (variable == null) {
        variable = new Draft();
      }
      return variable;
    }

    Node freeze() {
      Map<String, Node> children = new LinkedHashMap<>();
      literals.forEach((segment, child) -> children.put(segment, child.freeze()));
      return new Node(
          SegmentMap.of(children),
          variable == null ? null : variable.freeze(),
          terminal.toArray(NO_ROUTES),
          glob.toArray(NO_ROUTES));
    }
  }
}
