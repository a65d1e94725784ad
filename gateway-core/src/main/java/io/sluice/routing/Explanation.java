package io.sluice.routing;

import io.sluice.config.HostPattern;
import io.sluice.config.RouteMatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Why a request goes where it goes, for {@code sluice explain}: every route in the order it is
 * tried for this request, with each of its conditions held or failed, the winner and the routes
 * the winner shadows (they match too, but lose on priority).
 *
 * @param method the request method
 * @param host the request host
 * @param path the request path
 * @param verdicts one per route, in the order they are tried for this request
 * @param result the same answer {@link RouteTable#match} gives
 */
public record Explanation(String method, String host, String path, List<Verdict> verdicts, RouteMatchResult result) {

  public Explanation {
    verdicts = List.copyOf(verdicts);
  }

  /** What one condition is about. */
  public enum Subject { HOST, PATH, METHOD, HEADER, QUERY }

  /**
   * One condition of a route and whether the request met it.
   *
   * @param condition as written, such as {@code path /users/{id}} or {@code header x-env = "canary"}
   */
  public record Check(Subject subject, String condition, boolean held) {}

  /** One route and its checks; a route without host or method conditions has no check for them. */
  public record Verdict(CompiledRoute route, List<Check> checks) {

    public Verdict {
      checks = List.copyOf(checks);
    }

    /** Whether every condition held. */
    public boolean matched() {
      return checks.stream().allMatch(Check::held);
    }

    boolean matchedAllButMethod() {
      return !matched() && checks.stream().allMatch(check -> check.held() || check.subject() == Subject.METHOD);
    }
  }

  /** The route that decides the request, if any: it takes it, or refuses it for its matrix parameters. */
  public Optional<CompiledRoute> winner() {
    return switch (result) {
      case RouteMatchResult.Matched matched -> Optional.of(matched.route());
      case RouteMatchResult.MatrixParametersRefused refused -> Optional.of(refused.route());
      case RouteMatchResult.NoRoute n -> Optional.empty();
      case RouteMatchResult.MethodNotAllowed m -> Optional.empty();
    };
  }

  /** Routes that match the request too but lose to the winner, best first. */
  public List<CompiledRoute> shadowedByWinner() {
    return verdicts.stream().filter(Verdict::matched).skip(1).map(Verdict::route).toList();
  }

  static Explanation of(List<CompiledRoute> routes, MatchInput input) {
    String host = input.host();
    String path = input.path();
    // The order match() effectively uses for this host: the most specific host condition that
    // holds decides a route's place (routes whose hosts fail keep their listing place).
    record Placed(CompiledRoute route, int hostSpecificity) {}
    Comparator<Placed> order = Comparator.comparingInt((Placed placed) -> -placed.hostSpecificity())
        .thenComparingInt(placed -> placed.route().sameHostRank());
    List<Verdict> verdicts = routes.stream()
        .map(route -> new Placed(route, effectiveHostSpecificity(route.config().match(), host)))
        .sorted(order)
        .map(placed -> verdict(placed.route(), input))
        .toList();
    return new Explanation(input.method(), host, path, verdicts, result(verdicts, input));
  }

  private static int effectiveHostSpecificity(RouteMatch match, String host) {
    int matched = RouteOrder.hostSpecificityFor(match, host);
    return matched >= 0 ? matched : RouteOrder.bestHostSpecificity(match);
  }

  private static Verdict verdict(CompiledRoute route, MatchInput input) {
    RouteMatch match = route.config().match();
    List<Check> checks = new ArrayList<>();
    if (!match.hosts().isEmpty()) {
      String hosts = String.join(" | ", match.hosts().stream().map(HostPattern::text).toList());
      checks.add(new Check(Subject.HOST, "host " + hosts, RouteOrder.hostSpecificityFor(match, input.host()) >= 0));
    }
    checks.add(new Check(Subject.PATH, "path " + match.path().text(), route.pathMatches(input.path())));
    if (!match.methods().isEmpty()) {
      String methods = String.join(" | ", new TreeSet<>(match.methods()));
      checks.add(new Check(Subject.METHOD, "method " + methods, route.methodAllowed(input.method())));
    }
    for (Condition condition : route.conditions()) {
      Subject subject = condition.isHeader() ? Subject.HEADER : Subject.QUERY;
      checks.add(new Check(subject, condition.describe(), condition.holds(input)));
    }
    return new Verdict(route, checks);
  }

  private static RouteMatchResult result(List<Verdict> verdicts, MatchInput input) {
    TreeSet<String> allowed = new TreeSet<>();
    for (Verdict verdict : verdicts) {
      if (verdict.matched()) {
        return verdict.route().result(input);
      }
      if (verdict.matchedAllButMethod()) {
        allowed.addAll(verdict.route().methods());
      }
    }
    return allowed.isEmpty() ? RouteMatchResult.NO_ROUTE : new RouteMatchResult.MethodNotAllowed(allowed);
  }

  /** A readable report, one block per route. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(method).append(' ').append(host.isEmpty() ? "(no host)" : host).append(' ').append(path).append('\n');
    out.append("result: ").append(describe(result)).append('\n');
    List<CompiledRoute> shadowed = shadowedByWinner();
    if (!shadowed.isEmpty()) {
      out.append("also matched, lost on priority: ")
          .append(String.join(", ", shadowed.stream().map(CompiledRoute::id).toList()))
          .append('\n');
    }
    CompiledRoute winner = winner().orElse(null);
    for (int i = 0; i < verdicts.size(); i++) {
      Verdict verdict = verdicts.get(i);
      CompiledRoute route = verdict.route();
      String outcome = route == winner ? "WINS" : verdict.matched() ? "matches, loses to " + winner.id() : "no match";
      out.append(String.format("%3d. %s (%s): %s\n", i + 1, route.id(), route.config().position(), outcome));
      for (Check check : verdict.checks()) {
        out.append(check.held() ? "       ok    " : "       FAIL  ").append(check.condition()).append('\n');
      }
    }
    return out.toString();
  }

  private static String describe(RouteMatchResult result) {
    return switch (result) {
      case RouteMatchResult.Matched m ->
          "route " + m.route().id() + (m.params().isEmpty() ? "" : " with " + m.params());
      case RouteMatchResult.MethodNotAllowed m -> "405 method not allowed (Allow: " + String.join(", ", m.allowedMethods()) + ")";
      case RouteMatchResult.NoRoute n -> "404 no route";
      case RouteMatchResult.MatrixParametersRefused r ->
          "400 matrix parameters refused by route " + r.route().id() + " (matrix_parameters: refuse)";
    };
  }
}
