package io.sluice.config;

import java.time.Duration;
import java.util.List;

/**
 * Active health checking of an upstream's endpoints: each endpoint is probed every
 * {@code interval}, and balancers skip the ones that failed {@code unhealthyThreshold} probes in a
 * row until they pass {@code healthyThreshold} in a row.
 *
 * @param type what a probe asks
 * @param path the request path of an {@link Type#HTTP} probe, starting with {@code /}
 * @param service the service named in a {@link Type#GRPC} probe's {@code HealthCheckRequest};
 *     empty for the server as a whole
 * @param interval time from the end of one probe of an endpoint to the start of the next
 * @param timeout how long a probe may take, connecting included, before it counts as failed
 * @param healthyThreshold consecutive passed probes that make an unhealthy endpoint healthy again
 * @param unhealthyThreshold consecutive failed probes that make a healthy endpoint unhealthy
 * @param expectedStatuses the HTTP statuses an {@link Type#HTTP} probe passes with
 */
public record HealthCheckConfig(
    Type type,
    String path,
    String service,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold,
    List<StatusRange> expectedStatuses) {

  /** {@code 200-399}: success and redirects, as Envoy and Kong count them by default. */
  public static final List<StatusRange> DEFAULT_STATUSES = List.of(new StatusRange(200, 399));

  /** An HTTP check of {@code GET /} with every other setting at its default. */
  public static final HealthCheckConfig DEFAULTS = new HealthCheckConfig(
      Type.HTTP, "/", "", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3, DEFAULT_STATUSES);

  public HealthCheckConfig {
    expectedStatuses = List.copyOf(expectedStatuses);
  }

  /** Whether {@code status} is among {@link #expectedStatuses}. */
  public boolean isExpected(int status) {
    for (StatusRange range : expectedStatuses) {
      if (range.contains(status)) {
        return true;
      }
    }
    return false;
  }

  /** What a probe asks. */
  public enum Type {
    /** {@code GET path}; passes with an expected status. */
    HTTP,
    /** {@code grpc.health.v1.Health/Check}; passes when the answer is {@code SERVING}. */
    GRPC
  }

  /** HTTP statuses {@code from} to {@code to}, both included; one status when they are equal. */
  public record StatusRange(int from, int to) {

    public boolean contains(int status) {
      return status >= from && status <= to;
    }

    /** {@code 200-399}, or {@code 204}: the form it is written in. */
    @Override
    public String toString() {
      return from == to ? Integer.toString(from) : from + "-" + to;
    }
  }
}
