package io.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads {@code upstreams:}, a mapping from upstream name to its endpoints and connection settings. */
final class UpstreamSectionReader {

  static final List<String> KEYS =
      List.of("endpoints", "protocol", "load_balancer", "timeouts", "max_connections_per_endpoint", "tls", "health_check",
          "outlier_detection", "retry_budget", "max_pending_requests", "hash_on", "slow_start");
  static final List<String> ENDPOINT_KEYS = List.of("url", "weight");
  static final List<String> HASH_ON_KEYS = List.of("header", "cookie", "query", "client_ip");
  /** Weights multiply ring points and schedule slots; beyond this one endpoint would crowd them for nothing. */
  static final int MAX_ENDPOINT_WEIGHT = 1000;
  static final List<String> TIMEOUT_KEYS = List.of("connect", "response", "idle");
  static final int MAX_CONNECTIONS_DEFAULT = 1024;

  private static final Map<String, UpstreamConfig.LoadBalancing> LOAD_BALANCERS = words(UpstreamConfig.LoadBalancing.values());
  private static final Map<String, UpstreamConfig.Protocol> PROTOCOLS = words(UpstreamConfig.Protocol.values());

  private final Path baseDir;

  private UpstreamSectionReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** {@code round_robin} for {@code ROUND_ROBIN}: the one rule from YAML words to constants. */
  static <E extends Enum<E>> Map<String, E> words(E[] constants) {
    return Arrays.stream(constants)
        .collect(Collectors.toMap(c -> c.name().toLowerCase(Locale.ROOT), c -> c, (a, b) -> a, LinkedHashMap::new));
  }

  /**
   * Every upstream name written is a key of the result, even one whose body has mistakes, so
   * that routes naming it are not also reported as naming an unknown upstream.
   */
  static Map<String, UpstreamConfig> read(YamlNode node, Path baseDir) {
    UpstreamSectionReader reader = new UpstreamSectionReader(baseDir);
    Map<String, UpstreamConfig> out = new LinkedHashMap<>();
    for (YamlMap.Entry entry : node.freeMap().entries()) {
      if (!Names.isValid(entry.key())) {
        entry.keyNode().problem(Names.invalid(entry.key(), "an upstream name"));
      }
      out.put(entry.key(), reader.upstream(entry.key(), entry.value()));
    }
    return out;
  }

  private UpstreamConfig upstream(String name, YamlNode node) {
    YamlMap upstream = node.map(KEYS);
    Optional<UpstreamConfig.Protocol> written = upstream.optional("protocol").flatMap(n -> n.oneOf("protocol", PROTOCOLS));
    // a mistyped protocol is reported already; the endpoints' schemes are then not judged against it
    UpstreamConfig.Protocol protocol = written.orElse(UpstreamConfig.Protocol.HTTP1);
    boolean protocolKnown = written.isPresent() || !upstream.has("protocol");
    Map<Endpoint, Integer> weights = new LinkedHashMap<>();
    List<Endpoint> endpoints = upstream.required("endpoints")
        .map(n -> endpoints(n, protocolKnown ? protocol : null, weights)).orElse(List.of());
    UpstreamConfig.LoadBalancing loadBalancer = upstream.optional("load_balancer")
        .flatMap(n -> n.oneOf("load balancer", LOAD_BALANCERS))
        .orElse(UpstreamConfig.LoadBalancing.ROUND_ROBIN);
    UpstreamTimeouts timeouts = upstream.optional("timeouts").map(UpstreamSectionReader::timeouts).orElse(UpstreamTimeouts.DEFAULTS);
    int maxConnections = upstream.optional("max_connections_per_endpoint")
        .flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of connections, at least 1"))
        .orElse(MAX_CONNECTIONS_DEFAULT);
    HealthCheckConfig healthCheck = upstream.optional("health_check")
        .map(n -> HealthCheckReader.read(n, protocolKnown ? protocol : null)).orElse(null);
    OutlierDetectionConfig outliers = upstream.optional("outlier_detection").map(OutlierDetectionReader::read).orElse(null);
    RetryBudgetConfig budget = upstream.optional("retry_budget").map(OutlierDetectionReader::budget)
        .orElse(RetryBudgetConfig.DEFAULTS);
    int maxPending = upstream.optional("max_pending_requests")
        .flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of waiting requests, at least 1"))
        .orElse(UpstreamConfig.MAX_PENDING_REQUESTS_DEFAULT);
    HashOn hashOn = upstream.optional("hash_on").map(UpstreamSectionReader::hashOn).orElse(null);
    checkBalancing(upstream, loadBalancer);
    Duration slowStart = upstream.optional("slow_start").flatMap(n -> n.duration(true)).orElse(Duration.ZERO);
    if (!slowStart.isZero() && loadBalancer == UpstreamConfig.LoadBalancing.RING_HASH) {
      upstream.keyNode("slow_start").ifPresent(k -> k.problem("'slow_start' does not apply to ring_hash, which keeps"
          + " each key on its endpoint rather than spreading shares (expected: round_robin or least_request, or no slow_start)"));
    }
    return new UpstreamConfig(name, endpoints, loadBalancer, timeouts, maxConnections, protocol, tls(upstream, endpoints),
        healthCheck, outliers, budget, maxPending, loadBalancer == UpstreamConfig.LoadBalancing.RING_HASH ? hashOn : null, weights,
        slowStart);
  }

  /**
   * The endpoints; {@code protocol} (unless {@code null}) decides which scheme they must have. An
   * endpoint is a URL, or {@code { url, weight }}; weights other than 1 go into {@code weights}.
   */
  private static List<Endpoint> endpoints(YamlNode node, UpstreamConfig.Protocol protocol, Map<Endpoint, Integer> weights) {
    List<YamlNode> items = node.nonEmptyList("endpoint, such as http://127.0.0.1:9001");
    FirstSeen seen = new FirstSeen("endpoint");
    List<Endpoint> out = new ArrayList<>();
    for (YamlNode written : items) {
      YamlNode item = written;
      int weight = 1;
      if (written.isMap()) {
        YamlMap entry = written.map(ENDPOINT_KEYS);
        Optional<YamlNode> url = entry.required("url");
        if (url.isEmpty()) {
          continue;
        }
        item = url.get();
        weight = entry.optional("weight")
            .flatMap(n -> n.integer(1, MAX_ENDPOINT_WEIGHT, "a weight from 1 to " + MAX_ENDPOINT_WEIGHT)).orElse(1);
      }
      int endpointWeight = weight;
      YamlNode urlNode = item;
      urlNode.as(Endpoints.EXPECTED, Endpoints::parse).ifPresent(endpoint -> {
        seen.add(urlNode, endpoint.toString());
        String mismatch = schemeMismatch(endpoint, protocol, out.isEmpty() ? null : out.get(0));
        if (mismatch != null) {
          urlNode.problem(mismatch);
        }
        out.add(endpoint);
        if (endpointWeight != 1) {
          weights.put(endpoint, endpointWeight);
        }
      });
    }
    return out;
  }

  /** {@code hash_on}: exactly one of header, cookie, query (each a name) and {@code client_ip: true}. */
  private static HashOn hashOn(YamlNode node) {
    YamlMap hash = node.map(HASH_ON_KEYS);
    if (hash.entries().size() > 1 || hash.written() == 0) {
      node.problem("expected exactly one of: " + String.join(", ", HASH_ON_KEYS));
      return null;
    }
    YamlMap.Entry entry = hash.entries().stream().findFirst().orElse(null);
    if (entry == null) {
      return null; // only unknown keys, already reported
    }
    return switch (entry.key()) {
      case "header" -> entry.value().text("a header name").flatMap(raw -> HeaderOpsReader.headerName(raw, entry.value()))
          .map(n -> new HashOn(HashOn.Source.HEADER, n)).orElse(null);
      case "cookie" -> entry.value().text("a cookie name").map(n -> new HashOn(HashOn.Source.COOKIE, n)).orElse(null);
      case "query" -> entry.value().text("a query parameter name").map(n -> new HashOn(HashOn.Source.QUERY, n)).orElse(null);
      default -> entry.value().as("true", MatchReader::onlyTrue).map(t -> new HashOn(HashOn.Source.CLIENT_IP, "")).orElse(null);
    };
  }

  /** {@code ring_hash} needs a key to hash; a key without it would silently do nothing. */
  private static void checkBalancing(YamlMap upstream, UpstreamConfig.LoadBalancing balancer) {
    boolean hashing = balancer == UpstreamConfig.LoadBalancing.RING_HASH;
    if (hashing && !upstream.has("hash_on")) {
      upstream.keyNode("load_balancer").ifPresent(k -> k.problem(
          "ring_hash needs 'hash_on' (expected: hash_on with one of header, cookie, query or client_ip)"));
    }
    if (!hashing && upstream.has("hash_on")) {
      upstream.keyNode("hash_on").ifPresent(k -> k.problem(
          "'hash_on' has no effect with load_balancer " + balancer.name().toLowerCase(Locale.ROOT)
              + " (expected: load_balancer: ring_hash, or no hash_on)"));
    }
  }

  /** Why {@code endpoint}'s scheme does not fit the protocol or the first endpoint; {@code null} when it fits. */
  private static String schemeMismatch(Endpoint endpoint, UpstreamConfig.Protocol protocol, Endpoint first) {
    String url = Messages.quote(endpoint.toString());
    if (protocol == UpstreamConfig.Protocol.H2 && !endpoint.isTls()) {
      return url + " is cleartext, but protocol h2 is HTTP/2 over TLS (expected: an https:// endpoint, or protocol: h2c)";
    }
    if (protocol == UpstreamConfig.Protocol.H2C && endpoint.isTls()) {
      return url + " uses TLS, but protocol h2c is cleartext HTTP/2 (expected: an http:// endpoint, or protocol: h2)";
    }
    if (first != null && first.isTls() != endpoint.isTls()) {
      return url + " mixes http:// and https:// in one upstream (expected: the scheme of " + Messages.quote(first.toString())
          + "; make another upstream for the other)";
    }
    return null;
  }

  /** The TLS settings when the endpoints are {@code https://}, {@code null} otherwise. */
  private UpstreamTlsConfig tls(YamlMap upstream, List<Endpoint> endpoints) {
    UpstreamTlsConfig tls = upstream.optional("tls").map(n -> UpstreamTlsReader.read(n, baseDir)).orElse(UpstreamTlsConfig.DEFAULTS);
    boolean usesTls = !endpoints.isEmpty() && endpoints.get(0).isTls();
    if (!usesTls && !endpoints.isEmpty()) {
      upstream.keyNode("tls").ifPresent(k -> k.problem(
          "'tls' has no effect: the endpoints are http:// (expected: https:// endpoints, or no tls)"));
    }
    return usesTls ? tls : null;
  }

  private static UpstreamTimeouts timeouts(YamlNode node) {
    YamlMap timeouts = node.map(TIMEOUT_KEYS);
    UpstreamTimeouts d = UpstreamTimeouts.DEFAULTS;
    return new UpstreamTimeouts(
        timeouts.timeout("connect", d.connect()), timeouts.timeout("response", d.response()), timeouts.timeout("idle", d.idle()));
  }
}
