package io.sluice.config;

/**
 * The admin listener (health, metrics, config inspection).
 *
 * @param enabled whether it is started
 * @param bind address to bind, {@code 127.0.0.1} by default
 * @param port TCP port, 9901 by default
 */
public record AdminConfig(boolean enabled, String bind, int port) {}
