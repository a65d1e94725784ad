package io.sluice.plugintest;

import io.sluice.spi.Meters;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.RedisSettings;
import io.sluice.spi.Ticker;
import java.util.Optional;

/**
 * What the gateway hands to {@link io.sluice.spi.PluginFactory#create}, for unit tests. Starts as a
 * first load on route {@code test-route} with the system ticker; the methods named after a property
 * set it and return this context:
 *
 * <pre>{@code
 * ManualTicker ticker = new ManualTicker();
 * Plugin first = factory.create(config, TestPluginContext.forRoute("users").ticker(ticker));
 * Plugin reloaded = factory.create(config, TestPluginContext.forRoute("users").previous(first));
 * }</pre>
 */
public final class TestPluginContext implements PluginContext {

  private String routeId = "test-route";
  private String upstream;
  private Ticker ticker = Ticker.SYSTEM;
  private Plugin previous;
  private boolean validating;
  private RedisSettings redis;
  private Meters meters = Meters.none();

  private TestPluginContext() {}

  /** The context of a first load on {@code routeId}. */
  public static TestPluginContext forRoute(String routeId) {
    TestPluginContext context = new TestPluginContext();
    context.routeId = routeId;
    return context;
  }

  /** The upstream the route forwards to. */
  public TestPluginContext upstream(String name) {
    this.upstream = name;
    return this;
  }

  public TestPluginContext ticker(Ticker value) {
    this.ticker = value;
    return this;
  }

  /** A reload that kept the config {@code instance} was created from: the new instance may take over its state. */
  public TestPluginContext previous(Plugin instance) {
    this.previous = instance;
    return this;
  }

  /** Created only to check the config ({@code sluice validate}): no background work, no I/O. */
  public TestPluginContext validating(boolean value) {
    this.validating = value;
    return this;
  }

  public TestPluginContext redis(RedisSettings value) {
    this.redis = value;
    return this;
  }

  public TestPluginContext meters(Meters value) {
    this.meters = value;
    return this;
  }

  @Override
  public String routeId() {
    return routeId;
  }

  @Override
  public Optional<String> upstream() {
    return Optional.ofNullable(upstream);
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public Optional<Plugin> previous() {
    return Optional.ofNullable(previous);
  }

  @Override
  public boolean validating() {
    return validating;
  }

  @Override
  public Optional<RedisSettings> redis() {
    return Optional.ofNullable(redis);
  }

  @Override
  public Meters meters() {
    return meters;
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("sluice.plugin.test." + routeId);
  }
}
