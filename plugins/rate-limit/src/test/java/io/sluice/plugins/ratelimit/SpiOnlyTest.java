package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.SpiOnlySources;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plugin's main code uses nothing of Sluice but {@code io.sluice.spi} (and the Redis connection
 * the plugins share, {@code io.sluice.plugins.redis}, itself on the SPI only): a plugin jar's class
 * loader shows only that package, and gateway internals may change at any time.
 */
class SpiOnlyTest {

  @Test
  void mainCodeReferencesOnlyTheSpi() throws Exception {
    List<Path> sources = SpiOnlySources.mainSources();

    assertThat(sources).as("main sources found").hasSizeGreaterThan(3);
    assertThat(SpiOnlySources.referencesOutsideTheSpi(sources, "plugins.ratelimit", "plugins.redis")).isEmpty();
  }
}
