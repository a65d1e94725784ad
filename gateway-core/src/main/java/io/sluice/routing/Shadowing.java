package io.sluice.routing;

import io.sluice.config.HostPattern;
import io.sluice.config.PathPattern;
import io.sluice.config.RouteMatch;
import io.sluice.config.ValueMatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A route that can never win because {@code by} is tried first and accepts every request it
 * accepts: same path shape (parameter names aside), at least its hosts, at least its methods,
 * and no condition it lacks. Found by {@link RouteTable#shadowed()} for {@code sluice routes}.
 *
 * @param route the route that never wins
 * @param by the higher-priority route that takes its requests
 */
public record Shadowing(CompiledRoute route, CompiledRoute by) {

  /** A sentence for operators. */
  public String describe() {
    return "route " + route.id() + " (" + route.config().position() + ") can never match: route " + by.id()
        + " (" + by.config().position() + ") is tried first and accepts every request it accepts";
  }

  static List<Shadowing> find(List<CompiledRoute> routesByPriority) {
    Map<String, List<CompiledRoute>> byShape = new LinkedHashMap<>();
    for (CompiledRoute route : routesByPriority) {
      byShape.computeIfAbsent(shape(route.config().match().path()), s -> new ArrayList<>()).add(route);
    }
    List<Shadowing> found = new ArrayList<>();
    for (List<CompiledRoute> sameShape : byShape.values()) {
      for (CompiledRoute route : sameShape) {
        sameShape.stream()
            .filter(other -> other != route && covers(other, route))
            .findFirst()
            .ifPresent(by -> found.add(new Shadowing(route, by)));
      }
    }
    return List.copyOf(found);
  }

  /** Whether {@code a} is tried before {@code b} for every request {@code b} accepts, and accepts it too. */
  private static boolean covers(CompiledRoute a, CompiledRoute b) {
    RouteMatch first = a.config().match();
    RouteMatch second = b.config().match();
    // With a's hosts a superset of b's, a's host is never less specific than b's for a request
    // b accepts, so the rest of the rule decides.
    boolean hostsCovered = second.hosts().isEmpty()
        ? first.hosts().isEmpty()
        : !first.hosts().isEmpty() && hostTexts(first).containsAll(hostTexts(second));
    boolean methodsCovered = first.methods().isEmpty()
        || !second.methods().isEmpty() && first.methods().containsAll(second.methods());
    return hostsCovered
        && methodsCovered
        && conditionTexts(second).containsAll(conditionTexts(first))
        && a.sameHostRank() < b.sameHostRank();
  }

  /** {@code /users/{id}} and {@code /users/*} have the same shape: parameter names do not matter. */
  private static String shape(PathPattern path) {
    StringBuilder shape = new StringBuilder();
    for (PathPattern.Segment segment : path.segments()) {
      shape.append('/').append(segment instanceof PathPattern.Literal literal ? "=" + literal.value() : "*");
    }
    return path.glob() ? shape.append("/**").toString() : shape.toString();
  }

  private static Set<String> hostTexts(RouteMatch match) {
    return match.hosts().stream().map(HostPattern::text).collect(Collectors.toSet());
  }

  // Compared as text because compiled regexes have no value equality.
  private static Set<String> conditionTexts(RouteMatch match) {
    Set<String> texts = match.headers().stream().map(h -> "header " + text(h)).collect(Collectors.toCollection(HashSet::new));
    match.query().forEach(q -> texts.add("query " + text(q)));
    return texts;
  }

  private static String text(ValueMatch match) {
    return match.name() + ' ' + match.kind() + ' ' + match.value();
  }
}
