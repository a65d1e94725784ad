package io.sluice.plugins.cache;

import io.sluice.spi.Meters;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.RedisSettings;

/**
 * The {@code cache} plugin: an RFC 9111 shared cache in front of the route's upstream. Runs last in
 * {@link Phase#TRANSFORM}, after authentication, authorization and rate limits, so a stored response
 * is only ever served to a request those let through. See {@code docs/plugins/cache.md}.
 */
public final class CachePluginFactory implements PluginFactory<CacheConfig> {

  @Override
  public String name() {
    return "cache";
  }

  @Override
  public Class<CacheConfig> configType() {
    return CacheConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.TRANSFORM;
  }

  @Override
  public int priority() {
    return -100;
  }

  @Override
  public Plugin create(CacheConfig config, PluginContext context) {
    // the same config on a reload: keep what is stored (PluginContext.previous() is only given then)
    CachePlugin.Shared shared = context.previous()
        .filter(CachePlugin.class::isInstance)
        .map(previous -> ((CachePlugin) previous).shared())
        .orElseGet(() -> CachePlugin.Shared.of(config, context.ticker()));
    Meters meters = context.meters();
    RedisTier redis = null;
    if (config.store() == CacheConfig.Store.REDIS) {
      RedisSettings settings = context.redis().orElseThrow(() -> new IllegalArgumentException(
          "store: redis needs the top-level redis: section (expected: redis: { uri: \"redis://host:6379\" } in the config,"
              + " or store: local)"));
      // over one connection per redis: section, shared with every other cache entry and kept across reloads while any uses it
      redis = context.validating() ? null : new RedisTier(settings, context.routeId(), context.ticker(), context.logger());
    }
    CachePlugin.Counters counters = new CachePlugin.Counters(
        meters.counter("lookups", "result", "hit"),
        meters.counter("lookups", "result", "miss"),
        meters.counter("lookups", "result", "stale"),
        meters.counter("lookups", "result", "coalesced"),
        meters.counter("lookups", "result", "revalidate"),
        meters.counter("stored"),
        new CachePlugin.RedisCounters(
            meters.counter("redis_lookups", "result", "hit"),
            meters.counter("redis_lookups", "result", "miss"),
            meters.counter("redis_lookups", "result", "unavailable")));
    ResponseStore store = shared.store();
    meters.gauge("bytes", store::bytes);
    meters.gauge("entries", store::entries);
    return new CachePlugin(config, shared, context.ticker(), counters, redis);
  }
}
