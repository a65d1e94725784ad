package io.sluice.benchmarks;

import io.sluice.config.HeaderOps;
import io.sluice.config.HostPattern;
import io.sluice.config.PathPattern;
import io.sluice.config.PathPattern.Literal;
import io.sluice.config.PathPattern.Param;
import io.sluice.config.Rewrite;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.RouteMatch;
import io.sluice.config.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A route table shaped like a large real one: per service an exact path, a template, a glob
 * and a host-bound template, with exact and wildcard hosts mixed in.
 */
final class GeneratedRoutes {

  private GeneratedRoutes() {}

  static List<RouteConfig> of(int count) {
    List<RouteConfig> routes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String service = service(i);
      RouteMatch match = switch (i % 4) {
        case 0 -> match(List.of(), Set.of(), "/" + service + "/items", List.of(literal(service), literal("items")), false);
        case 1 -> match(List.of(), Set.of("GET"), "/" + service + "/items/{id}",
            List.of(literal(service), literal("items"), new Param("id")), false);
        case 2 -> match(List.of(HostPattern.wildcard(".zone" + i % 8 + ".example.com")), Set.of(),
            "/" + service + "/files/**", List.of(literal(service), literal("files")), true);
        default -> match(List.of(HostPattern.exact("h" + i % 16 + ".example.com")), Set.of("GET", "POST"),
            "/" + service + "/orders/{id}", List.of(literal(service), literal("orders"), new Param("id")), false);
      };
      routes.add(new RouteConfig("route-" + i, SourcePosition.UNKNOWN, i, match,
          new RouteAction.Forward(service, Rewrite.NONE, null), HeaderOps.NONE, HeaderOps.NONE, 1 << 20));
    }
    return routes;
  }

  /** Zero-padded, so paths are equally long whatever the table size and only the size varies. */
  static String service(int index) {
    return String.format("svc%05d", index);
  }

  private static Literal literal(String value) {
    return new Literal(value);
  }

  private static RouteMatch match(
      List<HostPattern> hosts, Set<String> methods, String text, List<PathPattern.Segment> segments, boolean glob) {
    return new RouteMatch(hosts, new PathPattern(text, segments, glob), methods, List.of(), List.of());
  }
}
