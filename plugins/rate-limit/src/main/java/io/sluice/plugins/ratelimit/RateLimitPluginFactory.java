package io.sluice.plugins.ratelimit;

import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.RedisSettings;
import java.util.Optional;

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
    // a reload with the same config keeps counting where the previous instance left off
    Optional<RateLimitPlugin> previous = context.previous()
        .filter(RateLimitPlugin.class::isInstance)
        .map(RateLimitPlugin.class::cast)
        .filter(plugin -> plugin.config.equals(config));
    DecisionMeters decisions = DecisionMeters.of(context.meters());
    if (config.store() == RateLimitConfig.Store.LOCAL) {
      LocalLimits limits = previous.map(plugin -> plugin.limits).orElseGet(() -> new LocalLimits(config, 1, context.ticker()));
      return new RateLimitPlugin(config, limits, context.ticker(), null, decisions);
    }
    RedisSettings settings = context.redis().orElseThrow(() -> new IllegalArgumentException(
        "store: redis needs the top-level redis: section (expected: redis: { uri: \"redis://host:6379\" } in the config, or store: local)"));
    // the local limits answer while Redis fails, each instance with its share of every limit
    LocalLimits fallback = previous.map(plugin -> plugin.limits)
        .orElseGet(() -> new LocalLimits(config, config.instances(), context.ticker()));
    // one connection per redis: section, shared with every other entry and kept across reloads while any uses it
    SharedRedis redis = context.validating() ? null : SharedRedis.acquire(settings, context.ticker(), context.logger());
    return new RateLimitPlugin(config, fallback, context.ticker(), new RedisLimits(config, context.routeId(), redis), decisions);
  }
}
