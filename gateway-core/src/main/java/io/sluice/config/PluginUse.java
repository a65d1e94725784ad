package io.sluice.config;

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
 * @param position where the entry is written
 * @param path the path of the entry, e.g. {@code routes[2].plugins[0]}
 */
public record PluginUse(String name, Record config, boolean enabled, boolean enforce, SourcePosition position, String path) {}
