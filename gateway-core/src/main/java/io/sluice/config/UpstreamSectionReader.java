package io.sluice.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads {@code upstreams:}, a mapping from upstream name to its endpoints and connection settings. */
final class UpstreamSectionReader {

  static final List<String> KEYS = List.of("endpoints", "load_balancer", "timeouts", "max_connections_per_endpoint");
  static final List<String> TIMEOUT_KEYS = List.of("connect", "response", "idle");
  static final int MAX_CONNECTIONS_DEFAULT = 1024;

  /** {@code round_robin} for {@code ROUND_ROBIN}: the one rule from YAML words to constants. */
  private static final Map<String, UpstreamConfig.LoadBalancing> LOAD_BALANCERS =
      Arrays.stream(UpstreamConfig.LoadBalancing.values())
          .collect(Collectors.toMap(lb -> lb.name().toLowerCase(Locale.ROOT), lb -> lb, (a, b) -> a, LinkedHashMap::new));

  private UpstreamSectionReader() {}

  /**
   * Every upstream name written is a key of the result, even one whose body has mistakes, so
   * that routes naming it are not also reported as naming an unknown upstream.
   */
  static Map<String, UpstreamConfig> read(YamlNode node) {
    Map<String, UpstreamConfig> out = new LinkedHashMap<>();
    for (YamlMap.Entry entry : node.freeMap().entries()) {
      if (!Names.isValid(entry.key())) {
        entry.keyNode().problem(Names.invalid(entry.key(), "an upstream name"));
      }
      out.put(entry.key(), upstream(entry.key(), entry.value()));
    }
    return out;
  }

  private static UpstreamConfig upstream(String name, YamlNode node) {
    YamlMap upstream = node.map(KEYS);
    List<Endpoint> endpoints = upstream.required("endpoints").map(UpstreamSectionReader::endpoints).orElse(List.of());
    UpstreamConfig.LoadBalancing loadBalancer = upstream.optional("load_balancer")
        .flatMap(n -> n.oneOf("load balancer", LOAD_BALANCERS))
        .orElse(UpstreamConfig.LoadBalancing.ROUND_ROBIN);
    UpstreamTimeouts timeouts = upstream.optional("timeouts").map(UpstreamSectionReader::timeouts).orElse(UpstreamTimeouts.DEFAULTS);
    int maxConnections = upstream.optional("max_connections_per_endpoint")
        .flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of connections, at least 1"))
        .orElse(MAX_CONNECTIONS_DEFAULT);
    return new UpstreamConfig(name, endpoints, loadBalancer, timeouts, maxConnections);
  }

  private static List<Endpoint> endpoints(YamlNode node) {
    List<YamlNode> items = node.nonEmptyList("endpoint, such as http://127.0.0.1:9001");
    FirstSeen seen = new FirstSeen("endpoint");
    List<Endpoint> out = new ArrayList<>();
    for (YamlNode item : items) {
      item.as(Endpoints.EXPECTED, Endpoints::parse).ifPresent(endpoint -> {
        seen.add(item, endpoint.toString());
        out.add(endpoint);
      });
    }
    return out;
  }

  private static UpstreamTimeouts timeouts(YamlNode node) {
    YamlMap timeouts = node.map(TIMEOUT_KEYS);
    UpstreamTimeouts d = UpstreamTimeouts.DEFAULTS;
    return new UpstreamTimeouts(
        timeouts.timeout("connect", d.connect()), timeouts.timeout("response", d.response()), timeouts.timeout("idle", d.idle()));
  }
}
