package io.sluice.plugins.ratelimit;

import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;

/**
 * The {@code rate_limit} plugin: limits requests per key with token bucket, sliding window, fixed
 * window, leaky bucket or concurrency limits. Runs in {@link Phase#TRAFFIC}, after authentication,
 * so limits can be keyed by consumer or claim. See {@code docs/plugins/rate-limit.md}.
 */
public final class RateLimitPluginFactory implements PluginFactory<RateLimitConfig> {

  @Override
  public String name() {
    return "rate_limit";
  }

  @Override
  public Class<RateLimitConfig> configType() {
    return RateLimitConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.TRAFFIC;
  }

  @Override
  public Plugin create(RateLimitConfig config, PluginContext context) {
    if (config.store() == RateLimitConfig.Store.REDIS) {
      throw new IllegalArgumentException("store: redis is not available yet (expected: local)");
    }
    // a reload with the same config keeps counting where the previous instance left off
    LocalLimits limits = context.previous()
        .filter(RateLimitPlugin.class::isInstance)
        .map(RateLimitPlugin.class::cast)
        .filter(previous -> previous.config.equals(config))
        .map(previous -> previous.limits)
        .orElseGet(() -> new LocalLimits(config, 1, context.ticker()));
    return new RateLimitPlugin(config, limits, context.ticker(), DecisionMeters.of(context.meters()));
  }
}
