package io.sluice.routing;

import io.sluice.config.RouteConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes of one config snapshot, compiled for matching. Immutable and shared by all event
 * loops; build it once per snapshot with {@link #compile}.
 *
 * <p>When several routes match a request, the most specific wins: by host, then path, then
 * number of conditions, then position in the file (see {@code docs/routing.md}).
 *
 * {@snippet :
 * RouteTable table = RouteTable.compile(config.routes());
 * if (table.match(input) instanceof RouteMatchResult.Matched m) {
 *   String upstreamPath = m.route().upstreamPath(head.path(), head.matrixPath(), m.params());
 * }
 * }
 */
public final class RouteTable {

  private final List<CompiledRoute> routes;
  private final HostIndex index;
  private final boolean anyMethodCondition;

  private RouteTable(List<CompiledRoute> routes, HostIndex index) {
    this.routes = routes;
    this.index = index;
    this.anyMethodCondition = routes.stream().anyMatch(route -> !route.methods().isEmpty());
  }

  /**
   * Compiles routes; their order in {@code routes} does not matter, {@link RouteConfig#index()} does.
   *
   * @throws IllegalArgumentException when a rewrite template names a parameter its path lacks
   */
  public static RouteTable compile(List<RouteConfig> routes) {
    List<RouteConfig> sameHostOrder = new ArrayList<>(routes);
    sameHostOrder.sort(RouteOrder.SAME_HOST);
    Map<RouteConfig, Integer> sameHostRank = new IdentityHashMap<>();
    sameHostOrder.forEach(route -> sameHostRank.put(route, sameHostRank.size()));
    // List.sort is stable: routes with equally specific hosts keep their same-host order.
    List<RouteConfig> byPriority = new ArrayList<>(sameHostOrder);
    byPriority.sort(Comparator.comparingInt(route -> -RouteOrder.bestHostSpecificity(route.match())));
    CompiledRoute[] compiled = new CompiledRoute[byPriority.size()];
    CompiledRoute[] bySameHostRank = new CompiledRoute[byPriority.size()];
    for (int priority = 0; priority < compiled.length; priority++) {
      RouteConfig route = byPriority.get(priority);
      int rank = sameHostRank.get(route);
      compiled[priority] = bySameHostRank[rank] = new CompiledRoute(route, priority, rank);
    }
    return new RouteTable(List.of(compiled), HostIndex.of(List.of(bySameHostRank)));
  }

  /** Every route, in priority order: the order {@code sluice routes} prints. */
  public List<CompiledRoute> routes() {
    return routes;
  }

  /**
   * Finds the route for a request. Costs about the depth of the path; allocates nothing when
   * the winning route has no path parameters. A miss walks the candidates a second time to
   * tell 404 from 405. A path with matrix parameters is matched without them, and the route that
   * wins decides whether it takes it ({@link RouteMatchResult.MatrixParametersRefused} if not).
   */
  public RouteMatchResult match(MatchInput input) {
    String path = input.path();
    if (path.isEmpty() || path.charAt(0) != '/') {
      return RouteMatchResult.NO_ROUTE;
    }
    CompiledRoute winner = index.find(input.host(), path, input, null);
    if (winner != null) {
      return winner.result(input);
    }
    if (!anyMethodCondition) {
      return RouteMatchResult.NO_ROUTE;
    }
    Set<String> allowed = new HashSet<>();
    index.find(input.host(), path, input, allowed);
    return allowed.isEmpty() ? RouteMatchResult.NO_ROUTE : new RouteMatchResult.MethodNotAllowed(allowed);
  }

  /**
   * Evaluates every route against the request, for {@code sluice explain}. Slow (it checks each
   * route on its own rather than using the index) and agrees with {@link #match}.
   */
  public Explanation explain(MatchInput input) {
    return Explanation.of(routes, input);
  }

  /**
   * Routes that can never win: for each, a higher-priority route with the same path shape and
   * host conditions that accepts every request it accepts. For {@code sluice routes}.
   */
  public List<Shadowing> shadowed() {
    return Shadowing.find(routes);
  }
}
