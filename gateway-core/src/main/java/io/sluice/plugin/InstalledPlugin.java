package io.sluice.plugin;

import io.sluice.spi.PluginFactory;

/**
 * A plugin factory the gateway found, and where it came from.
 *
 * @param factory the factory
 * @param source {@code built-in} or the jar's path, for messages
 */
public record InstalledPlugin(PluginFactory<?> factory, String source) {

  public String name() {
    return factory.name();
  }
}
