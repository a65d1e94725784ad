package io.sluice.plugin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.sluice.config.SourcePosition;
import io.sluice.metrics.PluginRejections;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * One plugin instance in one route's chain, with what the runner needs to run it: its place
 * in the order, shadow mode, whether it may block, its time to decide, the bound on its
 * concurrent blocking calls, its timer and warnings, and which hooks it overrides (so a chain
 * skips hooks nobody implements).
 */
public final class PluginSlot {

  private final String name;
  private final Record config;
  private final String routeId;
  private final Plugin plugin;
  private final Phase phase;
  private final int priority;
  private final boolean enforce;
  private final boolean blocking;
  private final SourcePosition position;
  private final boolean hasResponseHook;
  private final boolean hasCompleteHook;
  private final Timer requestTimer;
  private final Counter shadowRejections;
  private final PluginRejections rejections;
  private final long timeoutNanos;
  /** Permits for concurrent blocking calls; {@code null} for a plugin that does not block. */
  private final Semaphore blockingCalls;
  private final FailureLog failures;

  PluginSlot(String name, Record config, String routeId, Plugin plugin, Phase phase, int priority, boolean enforce, boolean blocking,
      SourcePosition position, Timer requestTimer, Counter shadowRejections, PluginRejections rejections, Duration timeout,
      int maxConcurrent, FailureLog failures) {
    this.name = name;
    this.config = config;
    this.routeId = routeId;
    this.plugin = plugin;
    this.phase = phase;
    this.priority = priority;
    this.enforce = enforce;
    this.blocking = blocking;
    this.position = position;
    this.hasResponseHook = overrides(plugin, "onResponse", io.sluice.spi.Exchange.class, io.sluice.spi.Response.class);
    this.hasCompleteHook = overrides(plugin, "onComplete", io.sluice.spi.Exchange.class, io.sluice.spi.Outcome.class);
    this.requestTimer = requestTimer;
    this.shadowRejections = shadowRejections;
    this.rejections = rejections;
    this.timeoutNanos = timeout.toNanos();
    this.blockingCalls = blocking ? new Semaphore(maxConcurrent) : null;
    this.failures = failures;
  }

  public String name() {
    return name;
  }

  /** The plugin config the instance was created from. */
  public Record config() {
    return config;
  }

  public String routeId() {
    return routeId;
  }

  public Plugin plugin() {
    return plugin;
  }

  public Phase phase() {
    return phase;
  }

  public int priority() {
    return priority;
  }

  /** {@code false} in shadow mode: rejections are logged and counted, not applied. */
  public boolean enforce() {
    return enforce;
  }

  public boolean blocking() {
    return blocking;
  }

  /** Where the entry that put this plugin in the chain is written. */
  public SourcePosition position() {
    return position;
  }

  boolean hasResponseHook() {
    return hasResponseHook;
  }

  boolean hasCompleteHook() {
    return hasCompleteHook;
  }

  Timer requestTimer() {
    return requestTimer;
  }

  Counter shadowRejections() {
    return shadowRejections;
  }

  /** The errors this plugin answered (or the runner answered for it), by code. */
  PluginRejections rejections() {
    return rejections;
  }

  /** How long {@code onRequest} may take to decide, awaited stages and blocking calls included. */
  public Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  /** Permits for concurrent blocking calls on this route; {@code null} when the plugin does not block. */
  Semaphore blockingCalls() {
    return blockingCalls;
  }

  FailureLog failures() {
    return failures;
  }

  private static boolean overrides(Plugin plugin, String method, Class<?>... parameters) {
    try {
      return plugin.getClass().getMethod(method, parameters).getDeclaringClass() != Plugin.class;
    } catch (NoSuchMethodException e) {
      return true;
    }
  }
}
