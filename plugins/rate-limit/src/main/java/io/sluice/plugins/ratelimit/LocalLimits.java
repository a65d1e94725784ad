package io.sluice.plugins.ratelimit;

import io.sluice.spi.Ticker;
import java.util.ArrayList;
import java.util.List;

/**
 * The local counters of one plugin entry: one {@link Policy} per configured limit. Kept across a
 * config reload when the entry's config did not change, so that a reload never resets a limit.
 */
final class LocalLimits {

  final List<Policy> policies;
  final boolean concurrency;

  /** @param divisor each limit is divided by it (at least 1 stays): 1, or the instance count for a fallback */
  LocalLimits(RateLimitConfig config, int divisor, Ticker ticker) {
    List<Policy> compiled = new ArrayList<>();
    List<RateLimitConfig.Limit> limits = config.limits();
    for (int i = 0; i < limits.size(); i++) {
      RateLimitConfig.Limit limit = limits.get(i);
      String name = limits.size() == 1 ? "default" : limit.algorithm().name().toLowerCase(java.util.Locale.ROOT) + "_" + (i + 1);
      compiled.add(new Policy(name, limit, Math.max(1, limit.limit() / divisor), config.maxKeys(), ticker));
    }
    this.policies = List.copyOf(compiled);
    this.concurrency = policies.stream().anyMatch(Policy::isConcurrency);
  }
}
