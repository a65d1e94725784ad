package io.sluice.plugins.ratelimit;

import io.sluice.spi.Meters;

/**
 * The plugin's decisions on its route, {@code sluice_plugin_rate_limit_decisions_total{route,decision}}:
 * requests let through ({@code allowed}, delayed ones included) and refused ({@code limited}).
 */
record DecisionMeters(Meters.Counter allowed, Meters.Counter limited) {

  static DecisionMeters of(Meters meters) {
    return new DecisionMeters(meters.counter("decisions", "decision", "allowed"),
        meters.counter("decisions", "decision", "limited"));
  }
}
