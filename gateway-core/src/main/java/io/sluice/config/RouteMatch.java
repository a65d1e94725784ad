package io.sluice.config;

import java.util.List;
import java.util.Set;

/**
 * The conditions of a route; all must hold.
 *
 * @param hosts host patterns, any of which must match; empty matches every host
 * @param path the path pattern
 * @param methods upper-case methods, any of which must match; empty matches every method
 * @param headers header conditions, all of which must hold
 * @param query query-parameter conditions, all of which must hold
 */
public record RouteMatch(
    List<HostPattern> hosts, PathPattern path, Set<String> methods, List<ValueMatch> headers, List<ValueMatch> query) {

  public RouteMatch {
    hosts = List.copyOf(hosts);
    methods = Set.copyOf(methods);
    headers = List.copyOf(headers);
    query = List.copyOf(query);
  }
}
