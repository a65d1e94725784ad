package io.sluice.plugins.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Phase;
import io.sluice.spi.PluginFactory;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class CorsPluginFactoryTest {

  @Test
  void isFoundByTheServiceLoaderAsCors() {
    List<PluginFactory<?>> cors = ServiceLoader.load(PluginFactory.class).stream()
        .<PluginFactory<?>>map(ServiceLoader.Provider::get)
        .filter(factory -> factory.name().equals("cors"))
        .toList();

    assertThat(cors).singleElement().isInstanceOf(CorsPluginFactory.class);
  }

  @Test
  void runsAtTheEdgeAheadOfDefaultPriorities() {
    CorsPluginFactory factory = new CorsPluginFactory();

    assertThat(factory.phase()).isEqualTo(Phase.EDGE);
    assertThat(factory.priority()).isGreaterThan(0);
    assertThat(factory.blocking()).isFalse();
    assertThat(factory.configType()).isEqualTo(CorsConfig.class);
  }
}
