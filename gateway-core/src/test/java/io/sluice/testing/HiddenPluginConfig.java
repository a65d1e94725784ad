package io.sluice.testing;

/**
 * A plugin config record the config package cannot reach without reflection's help: it is
 * package-private here, as a plugin jar's record may be in its own package.
 */
public final class HiddenPluginConfig {

  record Config(String greeting, int times) {}

  private HiddenPluginConfig() {}

  public static Class<? extends Record> type() {
    return Config.class;
  }
}
