package io.sluice.spi;

import java.util.Optional;

/**
 * What a factory gets to build a plugin instance: where it is used, the clock, and the
 * instance it replaces.
 */
public interface PluginContext {

  /** The id of the route this instance serves, or {@code "*"} for a global plugin's shared instance. */
  String routeId();

  /**
   * The upstream the route forwards to, or empty for a route that answers by itself
   * ({@code respond:}). A plugin that guards an upstream (a circuit breaker, say) keys its state
   * by this name, so that routes sending to one upstream can share it.
   */
  default Optional<String> upstream() {
    return Optional.empty();
  }

  /** The clock to use for anything time-based. */
  Ticker ticker();

  /**
   * On a config reload, the instance of the previous config that had exactly the same plugin
   * config at the same place: reuse its state (buckets, caches, breaker state) rather than
   * starting empty. Empty on the first load.
   */
  Optional<Plugin> previous();

  /**
   * Whether the instance is created only to check the config ({@code sluice validate},
   * {@code sluice routes}): it will never serve a request, so it must not start background work
   * or I/O (fetching keys, connecting to a store).
   */
  default boolean validating() {
    return false;
  }

  /**
   * The top-level {@code redis:} section of the config, or empty when there is none. A plugin that
   * needs Redis and finds none says so with an {@link IllegalArgumentException} from
   * {@link PluginFactory#create}, which the operator sees at the plugin's entry.
   */
  default Optional<RedisSettings> redis() {
    return Optional.empty();
  }

  /**
   * Where the instance registers meters of its own, exported as {@code sluice_plugin_<plugin>_<name>}
   * with a {@code route} tag; see {@link Meters} for names, bounded tags and when to register. While
   * {@link #validating()}, what is registered goes nowhere.
   */
  default Meters meters() {
    return Meters.none();
  }

  /** A logger named after the plugin, for the plugin's own messages. */
  System.Logger logger();
}
