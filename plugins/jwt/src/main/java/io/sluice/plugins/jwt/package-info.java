/**
 * The {@code jwt} plugin: JSON Web Token authentication with nimbus-jose-jwt. Only
 * {@link io.sluice.plugins.jwt.JwtPluginFactory} and {@link io.sluice.plugins.jwt.JwtConfig} are
 * public. Parameters and return values are never {@code null} unless their javadoc says so.
 */
package io.sluice.plugins.jwt;
