package io.sluice.plugins.cors;

import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;

/**
 * The {@code cors} plugin: answers CORS preflights without calling the upstream, refuses
 * preflights from origins (or for methods and headers) that are not allowed, and adds the
 * CORS headers to the responses of allowed origins. See {@code docs/plugins/cors.md}.
 *
 * <p>It runs in {@link Phase#EDGE} with a high priority, so a preflight is answered before
 * authentication plugins ask it for credentials a browser never sends with a preflight.
 *
 * {@snippet lang=yaml :
 * plugins:
 *   - cors:
 *       allow_origins: ["https://app.example.com", "https://*.preview.example.com"]
 *       allow_methods: [GET, POST, PUT, DELETE]
 *       allow_headers: [authorization, content-type]
 *       allow_credentials: true
 * }
 */
public final class CorsPluginFactory implements PluginFactory<CorsConfig> {

  /** Found by {@link java.util.ServiceLoader}. */
  public CorsPluginFactory() {}

  @Override
  public String name() {
    return "cors";
  }

  @Override
  public Class<CorsConfig> configType() {
    return CorsConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.EDGE;
  }

  /** Ahead of edge plugins of default priority: a preflight carries no credentials to check. */
  @Override
  public int priority() {
    return 1000;
  }

  @Override
  public Plugin create(CorsConfig config, PluginContext context) {
    return new CorsPlugin(config);
  }
}
