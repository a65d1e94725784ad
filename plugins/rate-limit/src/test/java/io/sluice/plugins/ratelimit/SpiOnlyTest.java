package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The plugin's main code uses nothing of Sluice but {@code io.sluice.spi}: a plugin jar's class
 * loader shows only that package, and gateway internals may change at any time.
 */
class SpiOnlyTest {

  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Pattern SLUICE_NAME = Pattern.compile("\\bio\\.sluice\\.([a-z_]+(?:\\.[a-z_]+)?)");

  @Test
  void mainCodeReferencesOnlyTheSpi() throws IOException {
    List<String> outside = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(MAIN)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }
    for (Path source : sources) {
      Matcher matcher = SLUICE_NAME.matcher(Files.readString(source));
      while (matcher.find()) {
        String name = matcher.group(1);
        if (!name.equals("spi") && !name.startsWith("spi.") && !name.equals("plugins.ratelimit")) {
          outside.add(source.getFileName() + ": io.sluice." + name);
        }
      }
    }

    assertThat(sources).as("main sources found").hasSizeGreaterThan(3);
    assertThat(outside).isEmpty();
  }
}
