package io.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads an upstream's {@code health_check:} and checks it fits the upstream's protocol. */
final class HealthCheckReader {

  static final List<String> KEYS = List.of(
      "type", "path", "service", "interval", "timeout", "healthy_threshold", "unhealthy_threshold", "expected_statuses");

  private static final Map<String, HealthCheckConfig.Type> TYPES = UpstreamSectionReader.words(HealthCheckConfig.Type.values());
  private static final String STATUS_EXPECTED = "an HTTP status from 100 to 599, or a range such as 200-399";
  private static final String THRESHOLD_EXPECTED = "a number of checks in a row, at least 1";

  private HealthCheckReader() {}

  /**
   * @param protocol the upstream's protocol; {@code null} when it was mistyped (already reported),
   *     so that a grpc check is not also reported as not fitting it
   */
  static HealthCheckConfig read(YamlNode node, UpstreamConfig.Protocol protocol) {
    YamlMap check = node.map(KEYS);
    HealthCheckConfig d = HealthCheckConfig.DEFAULTS;
    HealthCheckConfig.Type type = check.optional("type").flatMap(n -> n.oneOf("health check type", TYPES)).orElse(d.type());
    if (type == HealthCheckConfig.Type.GRPC && protocol == UpstreamConfig.Protocol.HTTP1) {
      check.optional("type").ifPresent(n -> n.problem("gRPC health checks need an HTTP/2 upstream, but this one is http1"
          + " (expected: protocol h2c or h2 on the upstream, or type: http)"));
    }
    String notFor = type == HealthCheckConfig.Type.GRPC ? "grpc" : "http";
    for (String key : type == HealthCheckConfig.Type.GRPC ? List.of("path", "expected_statuses") : List.of("service")) {
      check.keyNode(key).ifPresent(k -> k.problem(Messages.quote(key) + " has no effect on " + notFor
          + " health checks (expected: " + (key.equals("service") ? "type: grpc" : "type: http") + ", or no " + key + ")"));
    }
    String path = check.optional("path").flatMap(n -> n.as("a request path", HealthCheckReader::path)).orElse(d.path());
    String service = check.optional("service").flatMap(n -> n.text("a gRPC service name such as orders.v1.OrderService, or \"\""))
        .orElse(d.service());
    return new HealthCheckConfig(
        type,
        path,
        service,
        check.timeout("interval", d.interval()),
        check.timeout("timeout", d.timeout()),
        threshold(check, "healthy_threshold", d.healthyThreshold()),
        threshold(check, "unhealthy_threshold", d.unhealthyThreshold()),
        check.optional("expected_statuses").map(HealthCheckReader::statuses).orElse(d.expectedStatuses()));
  }

  private static int threshold(YamlMap check, String key, int fallback) {
    return check.optional(key).flatMap(n -> n.integer(1, Integer.MAX_VALUE, THRESHOLD_EXPECTED)).orElse(fallback);
  }

  /** An origin-form request target: what follows the host in a URL, sent as is. */
  private static String path(String text) {
    boolean valid = text.startsWith("/");
    for (int i = 0; valid && i < text.length(); i++) {
      char c = text.charAt(i);
      // printable ASCII but no space or fragment: anything else must be percent-encoded
      valid = c > 0x20 && c < 0x7f && c != '#';
    }
    if (!valid) {
      throw new IllegalArgumentException(Messages.invalid(text,
          "a path starting with /, such as /healthz, without spaces or #; percent-encode other characters"));
    }
    return text;
  }

  private static List<HealthCheckConfig.StatusRange> statuses(YamlNode node) {
    List<HealthCheckConfig.StatusRange> out = new ArrayList<>();
    for (YamlNode item : node.nonEmptyList("status, such as 200-399")) {
      item.as(STATUS_EXPECTED, HealthCheckReader::statusRange).ifPresent(out::add);
    }
    return out.isEmpty() ? HealthCheckConfig.DEFAULT_STATUSES : out;
  }

  private static HealthCheckConfig.StatusRange statusRange(String text) {
    int dash = text.indexOf('-');
    Optional<Integer> from = status(dash < 0 ? text : text.substring(0, dash));
    Optional<Integer> to = dash < 0 ? from : status(text.substring(dash + 1));
    if (from.isEmpty() || to.isEmpty()) {
      throw new IllegalArgumentException(Messages.invalid(text, STATUS_EXPECTED));
    }
    if (from.get() > to.get()) {
      throw new IllegalArgumentException(Messages.quote(text) + " is an empty range (expected: the lower status first, such as "
          + to.get() + "-" + from.get() + ")");
    }
    return new HealthCheckConfig.StatusRange(from.get(), to.get());
  }

  private static Optional<Integer> status(String digits) {
    if (digits.length() != 3) {
      return Optional.empty();
    }
    for (int i = 0; i < digits.length(); i++) {
      if (!Durations.isAsciiDigit(digits.charAt(i))) {
        return Optional.empty();
      }
    }
    int status = Integer.parseInt(digits);
    return status >= 100 && status <= 599 ? Optional.of(status) : Optional.empty();
  }
}
