package io.sluice.spi;

import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Where a plugin registers meters of its own, exported with the gateway's on the admin listener's
 * {@code GET /metrics} (see {@link PluginContext#meters()}). No metrics library is needed: the
 * gateway maps these onto its registry.
 *
 * <p><b>Names.</b> A meter named {@code decisions} of the plugin {@code rate_limit} is exported as
 * {@code sluice_plugin_rate_limit_decisions} (plus the Prometheus suffix of its type:
 * {@code _total} for a counter, {@code _seconds_bucket/_count/_sum} for a timer). Names and tag
 * keys are lower-case snake case ({@code [a-z][a-z0-9_]*}, at most 64 characters). Every meter
 * gets the tag {@code route} (the instance's {@link PluginContext#routeId()}) by itself; a plugin
 * may not set it.
 *
 * <p><b>Bounded tags.</b> Tag values must come from a small set known in advance (a decision, an
 * algorithm, a store), never from the request (a path, a user, a key): each distinct set of tags is
 * a series every scrape carries for good. An instance may register at most
 * {@value #MAX_METERS} meters; one more throws {@link IllegalStateException}.
 *
 * <p><b>When.</b> Register meters in {@link PluginFactory#create} and keep them in fields; the hot
 * path then only calls {@link Counter#increment()} or {@link Timer#record}, which are cheap,
 * never block and may be called on any thread. Registering again with the same name and tags
 * returns a meter that adds to the same series, so an instance created on a reload continues the
 * counts of the one it replaces. A gauge registered again reads the new supplier from then on.
 * The series of a route removed by a reload are removed once no exchange uses the old config.
 *
 * <pre>{@code
 * public Plugin create(MyConfig config, PluginContext context) {
 *   Meters.Counter allowed = context.meters().counter("decisions", "decision", "allowed");
 *   Meters.Counter limited = context.meters().counter("decisions", "decision", "limited");
 *   return new MyPlugin(config, allowed, limited);
 * }
 * }</pre>
 */
public interface Meters {

  /** The most meters one plugin instance may register. */
  int MAX_METERS = 64;

  /**
   * A counter: a number that only goes up (requests allowed, errors).
   *
   * @param name the meter's name within the plugin (see the class comment)
   * @param tags tag keys and values, alternating: {@code "decision", "allowed"}
   * @throws IllegalArgumentException when the name, a tag key or value is not acceptable, or the tags are not pairs
   * @throws IllegalStateException when the instance has registered {@value #MAX_METERS} meters already
   */
  Counter counter(String name, String... tags);

  /**
   * A timer: how long something took, exported as a Prometheus histogram in seconds (buckets from
   * 1 ms to 10 s).
   *
   * @throws IllegalArgumentException as {@link #counter}
   * @throws IllegalStateException as {@link #counter}
   */
  Timer timer(String name, String... tags);

  /**
   * A gauge: a value read when the gateway is scraped (entries in a cache, open connections to a
   * store). {@code value} is called on the scraping thread, not an event loop; it must be cheap and
   * thread-safe, and must not block.
   *
   * @throws IllegalArgumentException as {@link #counter}
   * @throws IllegalStateException as {@link #counter}
   */
  void gauge(String name, DoubleSupplier value, String... tags);

  /** A counter; thread-safe, never blocks. */
  interface Counter {
    void increment();

    /** Adds {@code amount}, which must not be negative. */
    void increment(long amount);
  }

  /** A timer; thread-safe, never blocks. */
  interface Timer {
    void record(long duration, TimeUnit unit);
  }

  /** Meters that export nothing: what a context without a registry (a test double) hands out. */
  static Meters none() {
    return NoMeters.INSTANCE;
  }
}

/** {@link Meters#none()}. */
final class NoMeters implements Meters, Meters.Counter, Meters.Timer {

  static final NoMeters INSTANCE = new NoMeters();

  @Override
  public Counter counter(String name, String... tags) {
    return this;
  }

  @Override
  public Timer timer(String name, String... tags) {
    return this;
  }

  @Override
  public void gauge(String name, DoubleSupplier value, String... tags) {}

  @Override
  public void increment() {}

  @Override
  public void increment(long amount) {}

  @Override
  public void record(long duration, TimeUnit unit) {}
}
