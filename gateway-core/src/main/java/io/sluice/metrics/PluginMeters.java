package io.sluice.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.spi.Meters;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * {@link Meters} of one plugin instance on one route, on the gateway's registry: names become
 * {@code sluice.plugin.<plugin>.<name>}, the {@code route} tag is added, names and tags are
 * checked, and the number of meters is capped (see {@link Meters}).
 */
public final class PluginMeters implements Meters {
  // Meters.Counter and Meters.Timer shadow Micrometer's names here: those are written out in full

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final int MAX_TAG_VALUE = 128;

  private final MeterRegistry registry;
  private final String prefix;
  private final String plugin;
  private final String route;
  /** The names and tags of the meters this instance registered. */
  private final java.util.Set<String> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public PluginMeters(MeterRegistry registry, String plugin, String route) {
    this.registry = registry;
    this.plugin = plugin;
    this.prefix = "sluice.plugin." + plugin + ".";
    this.route = route;
  }

  @Override
  public Meters.Counter counter(String name, String... tags) {
    String full = name(name);
    Tags all = admit(full, tags(tags));
    io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter.builder(full).tags(all).register(registry);
    return new Meters.Counter() {
      @Override
      public void increment() {
        counter.increment();
      }

      @Override
      public void increment(long amount) {
        if (amount < 0) {
          throw new IllegalArgumentException("a counter only goes up: " + amount);
        }
        counter.increment(amount);
      }
    };
  }

  @Override
  public Meters.Timer timer(String name, String... tags) {
    String full = name(name);
    io.micrometer.core.instrument.Timer timer = io.micrometer.core.instrument.Timer.builder(full).tags(admit(full, tags(tags))).serviceLevelObjectives(RequestMetrics.DURATION_BUCKETS)
        .register(registry);
    return timer::record;
  }

  @Override
  public void gauge(String name, DoubleSupplier value, String... tags) {
    String full = name(name);
    Tags all = admit(full, tags(tags));
    // registering the same id again would return the gauge of the replaced instance, reading its supplier
    Meter existing = registry.find(full).tags(all).gauge();
    if (existing != null) {
      registry.remove(existing);
    }
    Gauge.builder(full, value, DoubleSupplier::getAsDouble).strongReference(true).tags(all).register(registry);
  }

  private String name(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("plugin '" + plugin + "': meter name '" + name
          + "' (expected: lower-case snake case, [a-z][a-z0-9_]*, at most 64 characters)");
    }
    return prefix + name;
  }

  /** Counts a meter not registered by this instance before; refuses one beyond {@link #MAX_METERS}. */
  private Tags admit(String name, Tags tags) {
    String id = name + tags;
    if (!registered.contains(id)) {
      synchronized (registered) {
        if (registered.size() >= MAX_METERS) {
          throw new IllegalStateException("plugin '" + plugin + "' on route '" + route + "' registered " + MAX_METERS
              + " meters already: tag values must come from a small fixed set, never from requests");
        }
        registered.add(id);
      }
    }
    return tags;
  }

  private Tags tags(String... tags) {
    if (tags.length % 2 != 0) {
      throw new IllegalArgumentException("plugin '" + plugin + "': tags must be key, value pairs (got " + tags.length
          + " strings)");
    }
    Tags out = Tags.of("route", route);
    for (int i = 0; i < tags.length; i += 2) {
      String key = tags[i];
      String value = tags[i + 1];
      if (key == null || !NAME.matcher(key).matches() || key.equals("route")) {
        throw new IllegalArgumentException("plugin '" + plugin + "': tag key '" + key
            + "' (expected: lower-case snake case other than 'route', which the gateway sets)");
      }
      if (value == null || value.isEmpty() || value.length() > MAX_TAG_VALUE) {
        throw new IllegalArgumentException("plugin '" + plugin + "': tag '" + key + "' needs a value of 1 to "
            + MAX_TAG_VALUE + " characters");
      }
      out = out.and(key, value);
    }
    return out;
  }
}
