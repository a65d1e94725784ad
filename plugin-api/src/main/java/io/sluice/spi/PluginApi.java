package io.sluice.spi;

/**
 * The version of this SPI, and how a plugin jar says which version it was built for.
 *
 * <p>A plugin jar declares the SPI version it compiles against in its manifest, as
 * {@value #MANIFEST_ATTRIBUTE}{@code : 1.0} (the Maven template sets it with the jar plugin's
 * {@code manifestEntries}). The gateway checks it when the jar loads: a jar for another major
 * version, or for a newer minor version than the gateway's, is refused with a message naming the
 * jar, instead of failing later with a {@code NoSuchMethodError}. A jar without the attribute is
 * loaded, with a warning.
 *
 * <p>The promise: within a major version, the SPI only grows. Minor versions add types, methods
 * with default implementations and factory methods; nothing a plugin of an older minor version uses
 * is removed or changed. Build the records you answer with through their factory methods
 * ({@code GatewayError.of}, {@code DirectResponse.of}) rather than their canonical constructors,
 * which change when a field is added.
 */
public final class PluginApi {

  /** The major version: a plugin jar built for another one is refused. */
  public static final int MAJOR = 1;

  /** The minor version: a plugin jar built for a newer one is refused, an older one loads. */
  public static final int MINOR = 2;

  /** The manifest attribute that names the SPI version a plugin jar was built for. */
  public static final String MANIFEST_ATTRIBUTE = "Sluice-Plugin-Api";

  private PluginApi() {}

  /** This SPI's version, {@code MAJOR.MINOR}. */
  public static String version() {
    return MAJOR + "." + MINOR;
  }

  /**
   * Why a plugin built for SPI {@code declared} cannot run on this one, or {@code null} when it can.
   *
   * @param declared the version a jar declares, {@code MAJOR.MINOR}
   */
  public static String incompatibility(String declared) {
    String[] parts = declared.strip().split("\\.");
    int major;
    int minor;
    try {
      major = Integer.parseInt(parts[0]);
      minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    } catch (NumberFormatException e) {
      return "declares " + MANIFEST_ATTRIBUTE + " '" + declared + "' (expected: MAJOR.MINOR, e.g. " + version() + ")";
    }
    if (parts.length > 2 || major < 0 || minor < 0) {
      return "declares " + MANIFEST_ATTRIBUTE + " '" + declared + "' (expected: MAJOR.MINOR, e.g. " + version() + ")";
    }
    if (major != MAJOR) {
      return "was built for plugin API " + major + "." + minor + ", but this gateway implements " + version()
          + " (a major version apart: rebuild the plugin against sluice-plugin-api " + MAJOR + ".x)";
    }
    if (minor > MINOR) {
      return "was built for plugin API " + major + "." + minor + ", newer than this gateway's " + version()
          + " (upgrade the gateway, or build the plugin against sluice-plugin-api " + version() + ")";
    }
    return null;
  }
}
