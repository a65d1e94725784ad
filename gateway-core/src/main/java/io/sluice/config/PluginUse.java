package io.sluice.config;

import java.time.Duration;

/**
 * One entry of a {@code plugins:} list, global or per route:
 * {@code - cors: { allow_origins: [...], enforce: false }}.
 *
 * @param name the plugin's name (its YAML key)
 * @param config the bound config record; {@code null} when the entry only switches a global
 *     plugin off for a route ({@code - cors: { enabled: false }})
 * @param enabled {@code enabled:} (default {@code true}): {@code false} removes the plugin from the chain
 * @param enforce {@code enforce:} (default {@code true}): {@code false} is shadow mode: the
 *     plugin runs, and what it would have rejected is logged and counted but let through
 * @param timeout {@code timeout:} (default {@link #DEFAULT_TIMEOUT}, at most {@link #MAX_TIMEOUT}): how long the plugin's
 *     {@code onRequest} may take to decide, awaited stages and blocking calls included
 * @param maxConcurrent {@code max_concurrent:} (default {@link #DEFAULT_MAX_CONCURRENT}), for
 *     blocking plugins: how many of their calls may run at once on one route
 * @param position where the entry is written
 * @param path the path of the entry, e.g. {@code routes[2].plugins[0]}
 */
public record PluginUse(String name, Record config, boolean enabled, boolean enforce, Duration timeout, int maxConcurrent,
    SourcePosition position, String path) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
  public static final int DEFAULT_MAX_CONCURRENT = 256;

  /** An entry with the default {@code timeout} and {@code max_concurrent}. */
  public PluginUse(String name, Record config, boolean enabled, boolean enforce, SourcePosition position, String path) {
    this(name, config, enabled, enforce, DEFAULT_TIMEOUT, DEFAULT_MAX_CONCURRENT, position, path);
  }
}
