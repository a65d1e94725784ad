package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.spi.ErrorCode;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The requests one plugin on one route answered with an error, by error code
 * ({@code sluice_plugin_rejections_total{route,plugin,code}}): the plugin's own rejections
 * (enforced, not shadow mode) and the errors the runner answered for it (timeout, overload,
 * failure). A code's counter is registered the first time the plugin answers with it, then
 * read from an array: no registry lookup per rejection after the first.
 */
public final class PluginRejections {

  private static final ErrorCode[] CODES = ErrorCode.values();

  private final MeterRegistry registry;
  private final String route;
  private final String plugin;
  private final AtomicReferenceArray<Counter> byCode = new AtomicReferenceArray<>(CODES.length);

  public PluginRejections(MeterRegistry registry, String route, String plugin) {
    this.registry = registry;
    this.route = route;
    this.plugin = plugin;
  }

  /** Counts one rejection with {@code code}. */
  public void count(ErrorCode code) {
    Counter counter = byCode.get(code.ordinal());
    if (counter == null) {
      counter = Counter.builder("sluice.plugin.rejections").description("Requests a plugin answered with an error, by code")
          .tag("route", route).tag("plugin", plugin).tag("code", code.name()).register(registry);
      byCode.set(code.ordinal(), counter); // a racing loop got the same counter from the registry
    }
    counter.increment();
  }
}
