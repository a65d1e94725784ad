package io.sluice.routing;

import io.sluice.config.HostPattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes split by host condition into buckets, each a {@link PathTrie}: one per exact host,
 * one per wildcard suffix, and one for routes without host conditions. A route with several
 * host conditions is in several buckets. Buckets are tried from the most specific host down,
 * and since host specificity is the first rule, the first bucket with a match has the winner.
 */
final class HostIndex {

  private final Map<String, PathTrie> exact;
  private final SegmentMap<PathTrie> wildcard; // keyed by suffix with its leading dot
  private final PathTrie anyHost;

  private HostIndex(Map<String, PathTrie> exact, SegmentMap<PathTrie> wildcard, PathTrie anyHost) {
    this.exact = exact;
    this.wildcard = wildcard;
    this.anyHost = anyHost;
  }

  /** Builds the index; {@code routes} must be in {@link CompiledRoute#sameHostRank} order. */
  static HostIndex of(List<CompiledRoute> routes) {
    Map<String, List<CompiledRoute>> exact = new HashMap<>();
    Map<String, List<CompiledRoute>> wildcard = new HashMap<>();
    List<CompiledRoute> anyHost = new ArrayList<>();
    for (CompiledRoute route : routes) {
      List<HostPattern> hosts = route.config().match().hosts();
      if (hosts.isEmpty()) {
        anyHost.add(route);
      }
      for (HostPattern host : new LinkedHashSet<>(hosts)) {
        (host.wildcard() ? wildcard : exact).computeIfAbsent(host.suffix(), h -> new ArrayList<>()).add(route);
      }
    }
    return new HostIndex(tries(exact), SegmentMap.of(tries(wildcard)), PathTrie.of(anyHost));
  }

  private static Map<String, PathTrie> tries(Map<String, List<CompiledRoute>> buckets) {
    Map<String, PathTrie> tries = new HashMap<>();
    buckets.forEach((host, routes) -> tries.put(host, PathTrie.of(routes)));
    return tries;
  }

  /** As {@link PathTrie#find}, over the buckets whose host condition {@code host} meets. */
  CompiledRoute find(String host, String path, MatchInput input, Set<String> allowed) {
    PathTrie trie = exact.get(host);
    if (trie != null) {
      CompiledRoute hit = trie.find(path, input, allowed);
      if (hit != null) {
        return hit;
      }
    }
    if (!wildcard.isEmpty()) {
      // Suffixes from the longest: for a.b.example.com try .b.example.com, then .example.com, then .com.
      for (int dot = host.indexOf('.', 1); dot > 0; dot = host.indexOf('.', dot + 1)) {
        trie = wildcard.get(host, dot, host.length());
        if (trie != null) {
          CompiledRoute hit = trie.find(path, input, allowed);
          if (hit != null) {
            return hit;
          }
        }
      }
    }
    return anyHost.find(path, input, allowed);
  }
}
