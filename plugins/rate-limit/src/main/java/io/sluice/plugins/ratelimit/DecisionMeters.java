package io.sluice.plugins.ratelimit;

import io.sluice.spi.Meters;

/**
 * The plugin's decisions on its route, {@code sluice_plugin_rate_limit_decisions_total{route,decision}}:
 * requests let through ({@code allowed}, delayed ones included), refused by a limit ({@code limited}),
 * and refused because the limits could not be checked ({@code unavailable}: Redis failing with
 * {@code failure_mode: closed}); and {@code sluice_plugin_rate_limit_redis_fallbacks_total{route}}, the
 * requests the local fallback limits answered because Redis failed ({@code failure_mode: open}).
 */
record DecisionMeters(Meters.Counter allowed, Meters.Counter limited, Meters.Counter unavailable,
    Meters.Counter redisFallbacks) {

  static DecisionMeters of(Meters meters) {
    return new DecisionMeters(meters.counter("decisions", "decision", "allowed"),
        meters.counter("decisions", "decision", "limited"), meters.counter("decisions", "decision", "unavailable"),
        meters.counter("redis_fallbacks"));
  }
}
