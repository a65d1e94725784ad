/**
 * The {@code cache} plugin: an RFC 9111 shared cache for responses, with request coalescing,
 * {@code stale-while-revalidate}, {@code stale-if-error} and purge. Only
 * {@link io.sluice.plugins.cache.CachePluginFactory} and {@link io.sluice.plugins.cache.CacheConfig}
 * are public. Parameters and return values are never {@code null} unless their javadoc says so.
 */
package io.sluice.plugins.cache;
