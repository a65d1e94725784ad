package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluginApiTest {

  @Test
  void theSameMajorWithAnOlderOrEqualMinorRuns() {
    assertThat(PluginApi.incompatibility(PluginApi.MAJOR + ".0")).isNull();
    assertThat(PluginApi.incompatibility(PluginApi.version())).isNull();
    assertThat(PluginApi.incompatibility(" " + PluginApi.MAJOR + " ")).isNull();
  }

  @Test
  void anotherMajorOrANewerMinorIsRefusedSayingWhatToDo() {
    assertThat(PluginApi.incompatibility((PluginApi.MAJOR + 1) + ".0"))
        .startsWith("was built for plugin API " + (PluginApi.MAJOR + 1) + ".0, but this gateway implements " + PluginApi.version())
        .contains("rebuild the plugin");
    assertThat(PluginApi.incompatibility(PluginApi.MAJOR + "." + (PluginApi.MINOR + 1)))
        .contains("newer than this gateway's " + PluginApi.version()).contains("upgrade the gateway");
  }

  @Test
  void aVersionThatIsNotMajorDotMinorIsRefused() {
    for (String wrong : new String[] {"one", "1.x", "1.0.0", "", "-1.0"}) {
      assertThat(PluginApi.incompatibility(wrong)).as(wrong).contains("expected: MAJOR.MINOR");
    }
  }
}
