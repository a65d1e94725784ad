/**
 * The {@code circuit_breaker} plugin: stops sending requests to a failing upstream, answering 503
 * {@code CIRCUIT_OPEN} at once, and lets a few probes through after a while to find out whether it
 * recovered. Only {@link io.sluice.plugins.circuitbreaker.CircuitBreakerPluginFactory} and
 * {@link io.sluice.plugins.circuitbreaker.CircuitBreakerConfig} are public. Parameters and return
 * values are never {@code null} unless their javadoc says so.
 */
package io.sluice.plugins.circuitbreaker;
