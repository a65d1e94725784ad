package com.example.sluice;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;

/**
 * {@code example_header_guard}: lets a request through only when it carries a required header
 * with an allowed value, tags what goes upstream, and tells later plugins the value it accepted.
 *
 * <p>This module is the template for a plugin jar; copy it (see {@code docs/plugins.md}). Its
 * shape is the one every plugin has:
 * <ul>
 *   <li>this class, the one public factory, registered for {@link java.util.ServiceLoader} in
 *       {@code META-INF/services/io.sluice.spi.PluginFactory}. It holds no state: what a route
 *       needs lives in the instance made for that route;
 *   <li>{@link HeaderGuardConfig}, the one public config record, which checks itself;
 *   <li>the package-private plugin ({@code HeaderGuard}), made by {@link #create} once per route
 *       that uses it, each time a config is loaded.
 * </ul>
 *
 * <p>A later plugin (or your own, in another jar that depends on this one) reads the accepted
 * value through {@link #GUARDED_VALUE}:
 *
 * {@snippet :
 * String tenant = exchange.attributes().get(HeaderGuardPluginFactory.GUARDED_VALUE); // null unless the guard accepted
 * }
 */
public final class HeaderGuardPluginFactory implements PluginFactory<HeaderGuardConfig> {

  /**
   * The value of the required header, put on the exchange when the guard accepts a request.
   * Attribute keys compare by identity: this constant is the key, its name only shows in logs.
   */
  public static final AttributeKey<String> GUARDED_VALUE = AttributeKey.of("example_header_guard.value", String.class);

  /** ServiceLoader needs a public no-argument constructor. */
  public HeaderGuardPluginFactory() {}

  @Override
  public String name() {
    return "example_header_guard";
  }

  @Override
  public Class<HeaderGuardConfig> configType() {
    return HeaderGuardConfig.class;
  }

  /**
   * After authentication (so a JWT plugin has already turned away anonymous callers) and after
   * CORS preflights in {@link Phase#EDGE}, which a browser sends without custom headers.
   */
  @Override
  public Phase phase() {
    return Phase.AUTHORIZATION;
  }

  /**
   * Builds the route's instance: everything that can be worked out from the config is worked
   * out here, so that the hooks only read. On a reload that kept this route's
   * {@code example_header_guard} config as it was, {@link PluginContext#previous()} is the
   * instance being replaced: taking over its counters keeps them counting across the reload.
   */
  @Override
  public Plugin create(HeaderGuardConfig config, PluginContext context) {
    GuardCounts counts = context.previous()
        .filter(HeaderGuard.class::isInstance)
        .map(previous -> ((HeaderGuard) previous).counts())
        .orElseGet(GuardCounts::new);
    context.logger().log(System.Logger.Level.DEBUG, () -> "route " + context.routeId() + ": requiring "
        + config.requiredHeader() + (config.allowedValues().isEmpty() ? "" : " in " + config.allowedValues()));
    return new HeaderGuard(config, counts);
  }
}
