/**
 * What the built-in plugins that keep state in Redis share: one connection per {@code redis:}
 * section and codec ({@link io.sluice.plugins.redis.RedisConnection}), and the breaker that stops
 * commands to a Redis that keeps failing ({@link io.sluice.plugins.redis.RedisBreaker}). It depends on
 * {@code io.sluice.spi} and Lettuce only, like the plugins themselves. Nothing here is null
 * unless its documentation says so.
 */
package io.sluice.plugins.redis;
