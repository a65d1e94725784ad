package io.sluice.routing;

import io.sluice.config.HostPattern;
import io.sluice.config.PathPattern;
import io.sluice.config.RouteConfig;
import io.sluice.config.RouteMatch;
import java.util.Comparator;

/**
 * The specificity rule that decides which of several matching routes wins; documented in
 * {@code docs/routing.md}. All comparators sort the winner first.
 */
final class RouteOrder {

  /** Host specificity of a route without host conditions. */
  static final int ANY_HOST = 0;
  private static final int EXACT_HOST = Integer.MAX_VALUE;

  // Path symbols at one position; a higher symbol wins.
  private static final int GLOB = 0;
  private static final int END = 1;
  private static final int VARIABLE = 2;
  private static final int LITERAL = 3;

  /**
   * Path, then conditions, then position in the file: the order among routes whose host
   * conditions are equally specific for a request.
   */
  static final Comparator<RouteConfig> SAME_HOST = RouteOrder::compareSameHost;

  private RouteOrder() {}

  /** Exact beats wildcard, a longer wildcard suffix beats a shorter one. */
  static int hostSpecificity(HostPattern host) {
    return host.wildcard() ? host.suffix().length() : EXACT_HOST;
  }

  static int bestHostSpecificity(RouteMatch match) {
    int best = ANY_HOST;
    for (HostPattern host : match.hosts()) {
      best = Math.max(best, hostSpecificity(host));
    }
    return best;
  }

  /** The specificity of the most specific host condition that {@code host} meets, or -1. */
  static int hostSpecificityFor(RouteMatch match, String host) {
    if (match.hosts().isEmpty()) {
      return ANY_HOST;
    }
    int best = -1;
    for (HostPattern pattern : match.hosts()) {
      if (pattern.matches(host)) {
        best = Math.max(best, hostSpecificity(pattern));
      }
    }
    return best;
  }

  private static int compareSameHost(RouteConfig a, RouteConfig b) {
    int byPath = comparePaths(a.match().path(), b.match().path());
    if (byPath != 0) {
      return byPath;
    }
    int byMethods = Boolean.compare(!a.match().methods().isEmpty(), !b.match().methods().isEmpty());
    if (byMethods != 0) {
      return -byMethods;
    }
    int byConditions = Integer.compare(conditionCount(a.match()), conditionCount(b.match()));
    return byConditions != 0 ? -byConditions : Integer.compare(a.index(), b.index());
  }

  /**
   * Segment by segment from the left, literal beats variable; a segment beats the end of a
   * pattern, which beats a trailing {@code /**}. This is exactly the order in which
   * {@link PathTrie} visits candidates, which is what lets a lookup stop at the first match.
   */
  static int comparePaths(PathPattern a, PathPattern b) {
    int shared = Math.min(a.segments().size(), b.segments().size());
    for (int i = 0; i < shared; i++) {
      int bySegment = Integer.compare(symbol(b, i), symbol(a, i));
      if (bySegment != 0) {
        return bySegment;
      }
    }
    return Integer.compare(symbol(b, shared), symbol(a, shared));
  }

  private static int symbol(PathPattern pattern, int position) {
    if (position < pattern.segments().size()) {
      return pattern.segments().get(position) instanceof PathPattern.Literal ? LITERAL : VARIABLE;
    }
    return pattern.glob() ? GLOB : END;
  }

  static int conditionCount(RouteMatch match) {
    return match.headers().size() + match.query().size();
  }
}
