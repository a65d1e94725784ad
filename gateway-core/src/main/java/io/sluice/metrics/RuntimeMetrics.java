package io.sluice.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * The process's own meters: JVM memory, GC, threads, classes, CPU, open files, uptime, and the
 * memory of Netty's buffer allocator (used heap and direct memory; with the pooled allocator also
 * its arenas and caches). All are gauges or functions read at scrape time, except the GC meters,
 * which a notification listener records as collections happen.
 *
 * <p>The GC meters start only when {@link #listenForGcEvents} is called, by whatever exposes the
 * registry: with a listener, the JDK builds a notification after every collection and delivers it
 * on a thread of its own, 0.5 to 1.6 ms of CPU per collection in the gateway, on the cores the
 * event loops run on, right after the pause (docs/benchmarks.md). A gateway nobody scrapes should
 * not pay for that.
 */
public final class RuntimeMetrics implements AutoCloseable {

  private final MeterRegistry registry;
  private JvmGcMetrics gc;
  private boolean closed;

  private RuntimeMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the meters read at scrape time with {@code registry}. */
  public static RuntimeMetrics bind(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    // what the channels allocate from: the adaptive allocator by default in Netty 4.2, the pooled one
    // with -Dio.netty.allocator.type=pooled
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
      new NettyAllocatorMetrics(allocator).bindTo(registry);
    }
    return new RuntimeMetrics(registry);
  }

  /**
   * Starts the GC meters ({@code jvm.gc.pause}, allocation and promotion, live and max data
   * size); once, however often it is called, and never after {@link #close}.
   */
  public synchronized void listenForGcEvents() {
    if (gc == null && !closed) {
      gc = new JvmGcMetrics();
      gc.bindTo(registry);
    }
  }

  /** Stops listening for GC events. */
  @Override
  public synchronized void close() {
    closed = true;
    if (gc != null) {
      gc.close();
    }
  }
}
