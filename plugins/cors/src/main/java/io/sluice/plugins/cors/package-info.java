/**
 * The built-in CORS plugin: answers preflights at the edge and adds the CORS response headers
 * for allowed origins. {@link io.sluice.plugins.cors.CorsPluginFactory} and
 * {@link io.sluice.plugins.cors.CorsConfig} are the public surface; the rest is internal.
 *
 * <p>Parameters and return values are never {@code null} unless their javadoc says so.
 */
package io.sluice.plugins.cors;
