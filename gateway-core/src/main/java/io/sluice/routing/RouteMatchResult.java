package io.sluice.routing;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The answer of {@link RouteTable#match}.
 *
 * {@snippet :
 * switch (table.match(input)) {
 *   case RouteMatchResult.Matched m -> forward(m.route(), m.params());
 *   case RouteMatchResult.MethodNotAllowed m -> reply(ErrorCode.METHOD_NOT_ALLOWED, m.allowedMethods());
 *   case RouteMatchResult.NoRoute n -> reply(ErrorCode.NO_ROUTE);
 *   case RouteMatchResult.MatrixParametersRefused r -> reply(ErrorCode.BAD_REQUEST, r.reason());
 * }
 * }
 */
public sealed interface RouteMatchResult {

  /** The shared "no route" answer. */
  NoRoute NO_ROUTE = new NoRoute();

  /**
   * A route matched. For routes without path parameters this is a constant of the route, so
   * a match allocates nothing.
   */
  record Matched(CompiledRoute route, PathParams params) implements RouteMatchResult {}

  /**
   * A route matched the path without its matrix parameters, but does not take a path with them
   * ({@code matrix_parameters: refuse}, the default): 400. A constant of the route.
   */
  record MatrixParametersRefused(CompiledRoute route) implements RouteMatchResult {

    /** A sentence safe to show to the client. */
    public String reason() {
      return "The path has matrix parameters (';'), which this route does not accept";
    }
  }

  /** No route matched host, path, headers and query: 404. */
  record NoRoute() implements RouteMatchResult {}

  /**
   * Some route matched everything but the method, and none matched fully: 405.
   *
   * @param allowedMethods the union of those routes' methods, sorted, for the {@code Allow} header
   */
  record MethodNotAllowed(Set<String> allowedMethods) implements RouteMatchResult {
    public MethodNotAllowed {
      allowedMethods = Collections.unmodifiableSortedSet(new TreeSet<>(allowedMethods));
    }
  }
}
