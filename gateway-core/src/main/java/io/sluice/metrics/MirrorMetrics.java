package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Copies of requests sent to a route's mirror upstream, by how they ended
 * ({@code sluice_mirror_requests_total{route,upstream,result}}): {@code completed} (the mirror
 * answered; its answer was thrown away), {@code failed} (it could not be reached, broke off or
 * did not answer within its response timeout) or {@code skipped} (not sent: the body was over
 * {@code max_body_bytes}, the request failed before its end, or the mirror had
 * {@code max_pending_requests} waiting). Labels are bounded by the config; a counter is looked
 * up in the registry per mirrored request, which only a sampled share of requests is.
 */
public final class MirrorMetrics {

  private final MeterRegistry registry;

  public MirrorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts one copy of a request of {@code route} to {@code upstream} that ended with {@code result}. */
  public void count(String route, String upstream, String result) {
    Counter.builder("sluice.mirror.requests").description("Copies of requests sent to a route's mirror upstream, by result")
        .tag("route", route).tag("upstream", upstream).tag("result", result).register(registry).increment();
  }
}
