package io.sluice.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * For a plugin module's tests: the names of Sluice outside {@code io.sluice.spi} (and the plugin's
 * own package) that its main sources mention. A plugin jar's class loader shows only the SPI, and
 * gateway internals may change at any time, so the list must be empty.
 */
public final class SpiOnlySources {

  private static final Pattern SLUICE_NAME = Pattern.compile("\\bio\\.sluice\\.([a-z_]+(?:\\.[a-z_]+)?)");

  private SpiOnlySources() {}

  /** The main sources of the module the tests run in ({@code src/main/java}). */
  public static List<Path> mainSources() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    }
  }

  /**
   * Each reference in {@code sources} to a package of Sluice other than the SPI,
   * {@code io.sluice.<ownPackage>} and the {@code alsoAllowed} ones (a library module of plugins,
   * such as {@code plugins.redis}), as {@code File.java: io.sluice.name}.
   */
  public static List<String> referencesOutsideTheSpi(List<Path> sources, String ownPackage, String... alsoAllowed)
      throws IOException {
    List<String> outside = new ArrayList<>();
    for (Path source : sources) {
      Matcher matcher = SLUICE_NAME.matcher(Files.readString(source));
      while (matcher.find()) {
        String name = matcher.group(1);
        if (!name.equals("spi") && !name.startsWith("spi.") && !name.equals(ownPackage) && !List.of(alsoAllowed).contains(name)) {
          outside.add(source.getFileName() + ": io.sluice." + name);
        }
      }
    }
    return outside;
  }
}
