package io.sluice.benchmarks;

import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;

/** Ten plugins that do nothing, under distinct names, so a chain can hold up to ten of them. */
public final class NoopPlugins {

  private NoopPlugins() {}

  /** No settings. */
  public record Config() {}

  /** A plugin whose onRequest returns the shared "proceed" decision. */
  public abstract static class Noop implements PluginFactory<Config> {
    private final String name;

    Noop(int index) {
      this.name = "noop_" + index;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {};
    }
  }

  public static final class N1 extends Noop { public N1() { super(1); } }
  public static final class N2 extends Noop { public N2() { super(2); } }
  public static final class N3 extends Noop { public N3() { super(3); } }
  public static final class N4 extends Noop { public N4() { super(4); } }
  public static final class N5 extends Noop { public N5() { super(5); } }
  public static final class N6 extends Noop { public N6() { super(6); } }
  public static final class N7 extends Noop { public N7() { super(7); } }
  public static final class N8 extends Noop { public N8() { super(8); } }
  public static final class N9 extends Noop { public N9() { super(9); } }
  public static final class N10 extends Noop { public N10() { super(10); } }
}
