package io.sluice.plugins.ratelimit;

import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Headers;
import java.time.Duration;
import java.util.List;

/**
 * The budget as clients see it: the IETF {@code RateLimit-Policy} and {@code RateLimit} fields
 * (draft-ietf-httpapi-ratelimit-headers), the widespread {@code X-RateLimit-*} fields, and the 429
 * error with {@code Retry-After}. Times are whole seconds, rounded up.
 */
final class Answers {

  /** {@code "name";q=100;w=60, ...}: every limit of the plugin, computed once. */
  final String policyHeader;

  Answers(List<Policy> policies) {
    StringBuilder out = new StringBuilder();
    for (Policy policy : policies) {
      if (!out.isEmpty()) {
        out.append(", ");
      }
      out.append('"').append(policy.name).append("\";q=").append(policy.config.limit());
      if (policy.config.window() != null) {
        out.append(";w=").append(seconds(policy.config.window().toMillis()));
      }
    }
    this.policyHeader = out.toString();
  }

  static long seconds(long millis) {
    return (millis + 999) / 1000;
  }

  /** Sets the budget fields on an allowed response. */
  void budget(Headers headers, Policy policy, long remaining, long resetMillis) {
    long reset = seconds(resetMillis);
    headers.set("RateLimit-Policy", policyHeader);
    headers.set("RateLimit", "\"" + policy.name + "\";r=" + remaining + ";t=" + reset);
    headers.set("X-RateLimit-Limit", Long.toString(policy.config.limit()));
    headers.set("X-RateLimit-Remaining", Long.toString(remaining));
    headers.set("X-RateLimit-Reset", Long.toString(reset));
  }

  /** The 429 for a request {@code policy} refused; a retry may succeed after {@code retryMillis}. */
  GatewayError rejected(Policy policy, long retryMillis) {
    long retry = Math.max(1, seconds(retryMillis));
    String what = policy.isConcurrency()
        ? "Concurrency limit of " + policy.config.limit() + " requests in flight"
        : "Rate limit of " + policy.config.limit() + " per " + human(policy.config.window());
    return GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, what + " exceeded; retry in " + retry + "s")
        .withDetails("rate_limit.exceeded policy=" + policy.name)
        .withHeader("Retry-After", Long.toString(retry))
        .withHeader("RateLimit-Policy", policyHeader)
        .withHeader("RateLimit", "\"" + policy.name + "\";r=0;t=" + retry)
        .withHeader("X-RateLimit-Limit", Long.toString(policy.config.limit()))
        .withHeader("X-RateLimit-Remaining", "0")
        .withHeader("X-RateLimit-Reset", Long.toString(retry))
        .withField("retry_after", retry)
        .withField("limit", policy.config.limit())
        .withField("remaining", 0)
        .withField("reset", retry);
  }

  /** {@code 1m}, {@code 10s}, {@code 250ms}: the window as it would be written in YAML. */
  static String human(Duration window) {
    long millis = window.toMillis();
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
