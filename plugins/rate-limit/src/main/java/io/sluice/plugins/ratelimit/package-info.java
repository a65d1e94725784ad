/**
 * The {@code rate_limit} plugin: token bucket, sliding window, fixed window, leaky bucket and
 * concurrency limits, counted locally (Caffeine) or shared through Redis (Lettuce). Only
 * {@link io.sluice.plugins.ratelimit.RateLimitPluginFactory} and
 * {@link io.sluice.plugins.ratelimit.RateLimitConfig} are public. Parameters and return values are
 * never {@code null} unless their javadoc says so.
 */
package io.sluice.plugins.ratelimit;
