package com.example.sluice;

import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.Ticker;
import java.util.Optional;

/**
 * What the gateway hands to {@code create}: the route, the system clock, and the instance being
 * replaced (empty on a first load).
 */
record TestContext(String routeId, Optional<Plugin> previous) implements PluginContext {

  /** The context of a first load, for {@code routeId}. */
  static TestContext firstLoad(String routeId) {
    return new TestContext(routeId, Optional.empty());
  }

  /** The context of a reload that kept the config under which {@code previous} was made. */
  static TestContext reloadOf(String routeId, Plugin previous) {
    return new TestContext(routeId, Optional.of(previous));
  }

  @Override
  public Ticker ticker() {
    return Ticker.SYSTEM;
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("example_header_guard");
  }
}
