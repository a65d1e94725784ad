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
 * its arenas and caches). All are gauges or functions read at scrape time, except the GC pauses,
 * which a notification listener records as they happen.
 */
public final class RuntimeMetrics implements AutoCloseable {

  private final JvmGcMetrics gc;

  private RuntimeMetrics(JvmGcMetrics gc) {
    this.gc = gc;
  }

  /** Registers the meters with {@code registry}; {@link #close} stops listening for GC events. */
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
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return new RuntimeMetrics(gc);
  }

  @Override
  public void close() {
    gc.close();
  }
}
