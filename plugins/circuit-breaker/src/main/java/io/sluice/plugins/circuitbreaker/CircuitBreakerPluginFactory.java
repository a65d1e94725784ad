package io.sluice.plugins.circuitbreaker;

import io.sluice.spi.Phase;
import java.util.Locale;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;

/**
 * The {@code circuit_breaker} plugin: per upstream (or per route), opens when recent calls fail or
 * are slow too often, or fail too many times in a row; while open, answers 503
 * {@code CIRCUIT_OPEN} with {@code Retry-After} (gRPC: UNAVAILABLE) without contacting the
 * upstream; then lets probes through. Runs last in {@link Phase#TRAFFIC}, after rate limits, so
 * requests refused earlier never count. See {@code docs/plugins/circuit-breaker.md}.
 */
public final class CircuitBreakerPluginFactory implements PluginFactory<CircuitBreakerConfig> {

  private final SharedBreakers breakers = new SharedBreakers();

  @Override
  public String name() {
    return "circuit_breaker";
  }

  @Override
  public Class<CircuitBreakerConfig> configType() {
    return CircuitBreakerConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.TRAFFIC;
  }

  @Override
  public int priority() {
    return -100;
  }

  @Override
  public Plugin create(CircuitBreakerConfig config, PluginContext context) {
    String upstream = context.upstream().orElseThrow(() -> new IllegalArgumentException(
        "route '" + context.routeId() + "' answers by itself and has no upstream to guard (expected: circuit_breaker on"
            + " routes that forward to an upstream)"));
    String guarded = config.scope() == CircuitBreakerConfig.Scope.ROUTE
        ? "route '" + context.routeId() + "'" : "upstream '" + upstream + "'";
    if (context.validating()) {
      return new CircuitBreakerPlugin(config, new Breaker(guarded, config, context.ticker(), context.logger()), () -> {});
    }
    SharedBreakers.Key key = new SharedBreakers.Key(guarded, config);
    Breaker breaker = breakers.acquire(key, () -> new Breaker(guarded, config, context.ticker(), context.logger()));
    // sluice_plugin_circuit_breaker_state{route, upstream, state}: 1 for the state the breaker is in
    for (Breaker.State state : Breaker.State.values()) {
      context.meters().gauge("state", () -> breaker.state() == state ? 1 : 0,
          "upstream", upstream, "state", state.name().toLowerCase(Locale.ROOT));
    }
    return new CircuitBreakerPlugin(config, breaker, () -> breakers.release(key));
  }

  /** How many breakers are in use; for tests. */
  int breakersInUse() {
    return breakers.size();
  }
}
