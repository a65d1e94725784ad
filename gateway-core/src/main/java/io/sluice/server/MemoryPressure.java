package io.sluice.server;

import io.netty.util.internal.PlatformDependent;
import io.sluice.config.OverloadConfig;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How close the process is to running out of memory, as a {@link Level} that event loops read with
 * one volatile read. A daemon thread samples the heap and direct memory every
 * {@value #INTERVAL_MILLIS} ms, off the event loops, and compares them with the thresholds of the
 * current config.
 *
 * <p>The heap is judged by what was in use right after the last garbage collection, not by what
 * is in use now: between collections the heap fills with garbage, so its current use says little
 * about how close an {@link OutOfMemoryError} is. Direct memory has no garbage of that kind: it is
 * what Netty's buffers hold (counted by Netty when it manages direct memory itself, by the JDK's
 * buffer pool otherwise) against Netty's direct memory limit.
 */
final class MemoryPressure implements AutoCloseable {

  /** What the gateway does about memory, from no restriction to refusing requests. */
  enum Level {
    NORMAL,
    /** Client connections close after their current response (HTTP/1.1 {@code Connection: close}). */
    STOP_KEEP_ALIVE,
    /** New requests are refused with 503 {@code OVERLOADED}; keep-alive stays stopped. */
    REFUSE
  }

  static final long INTERVAL_MILLIS = 100;
  /** How far below a threshold memory must fall before the level goes down again (as a share of the limit). */
  static final double HYSTERESIS = 0.05;
  private static final System.Logger LOG = System.getLogger(MemoryPressure.class.getName());

  /** One reading: shares of one, {@code -1} when unknown. */
  record Reading(double heap, double direct) {}

  private final Supplier<OverloadConfig> config;
  private final Supplier<Reading> readings;
  private long changes;
  private ScheduledExecutorService sampler;
  private volatile Level level = Level.NORMAL;
  private volatile Reading last = new Reading(-1, -1);

  /**
   * @param config the current thresholds, read at each sample (a reload changes them at once)
   * @param readings where samples come from ({@link #measure} in the gateway)
   */
  MemoryPressure(Supplier<OverloadConfig> config, Supplier<Reading> readings) {
    this.config = config;
    this.readings = readings;
  }

  /** Starts sampling on a daemon thread of its own. */
  MemoryPressure start() {
    sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "sluice-memory-pressure");
      thread.setDaemon(true);
      return thread;
    });
    sampler.scheduleWithFixedDelay(this::sample, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  Level level() {
    return level;
  }

  /** How often the level changed (tests: one change is one log line). */
  long changes() {
    return changes;
  }

  /** The last reading, for gauges. */
  Reading last() {
    return last;
  }

  /** Takes one reading and sets the level from it; logs each change of level once. */
  void sample() {
    Reading reading;
    try {
      reading = readings.get();
    } catch (RuntimeException e) {
      return; // an unreadable bean leaves the level as it was rather than killing the sampler
    }
    last = reading;
    OverloadConfig thresholds = config.get();
    Level next = levelOf(reading, 0, thresholds);
    Level previous = level;
    if (next.compareTo(previous) < 0) {
      // down only once clearly below a threshold: memory hovering at one must not flip the level (and log) every sample
      next = levelOf(reading, HYSTERESIS, thresholds);
    }
    if (next == previous) {
      return;
    }
    level = next;
    changes++;
    String detail = String.format(java.util.Locale.ROOT, "heap after GC %s, direct memory %s",
        share(reading.heap()), share(reading.direct()));
    if (next.compareTo(previous) > 0) {
      LOG.log(System.Logger.Level.WARNING, next == Level.REFUSE
          ? "memory pressure: refusing new requests with 503 OVERLOADED (" + detail + ")"
          : "memory pressure: closing client connections after their current response (" + detail + ")");
    } else {
      LOG.log(System.Logger.Level.INFO, next == Level.NORMAL
          ? "memory pressure over: serving normally again (" + detail + ")"
          : "memory pressure lower: accepting requests again, still closing connections after each response (" + detail + ")");
    }
  }

  private static Level levelOf(Reading reading, double margin, OverloadConfig thresholds) {
    return max(levelOf(reading.heap() < 0 ? -1 : reading.heap() + margin, thresholds.heap()),
        levelOf(reading.direct() < 0 ? -1 : reading.direct() + margin, thresholds.directMemory()));
  }

  private static Level levelOf(double share, OverloadConfig.MemoryThresholds thresholds) {
    if (share < 0) {
      return Level.NORMAL;
    }
    if (share >= thresholds.refuse()) {
      return Level.REFUSE;
    }
    return share >= thresholds.stopKeepAlive() ? Level.STOP_KEEP_ALIVE : Level.NORMAL;
  }

  private static Level max(Level a, Level b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String share(double share) {
    return share < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f%%", share * 100);
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
  }

  // ---- reading the JVM ----

  private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
  /** Fixed for the JVM's life; looking them up costs tens of microseconds each time. */
  private static final List<java.lang.management.GarbageCollectorMXBean> COLLECTORS =
      List.copyOf(ManagementFactory.getGarbageCollectorMXBeans());
  private static final BufferPoolMXBean DIRECT_POOL = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
      .filter(pool -> pool.getName().equals("direct")).findFirst().orElse(null);

  private static final HeapAfterCollection HEAP_AFTER_COLLECTION = new HeapAfterCollection();

  /** The JVM's memory now: heap after the last collection (or now, before the first), and direct memory. */
  static Reading measure() {
    long maxHeap = Runtime.getRuntime().maxMemory();
    long heap = HEAP_AFTER_COLLECTION.get();
    if (heap < 0) {
      heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    double heapShare = maxHeap == Long.MAX_VALUE || maxHeap <= 0 ? -1 : (double) heap / maxHeap;
    long maxDirect = PlatformDependent.maxDirectMemory();
    long direct = Math.max(0, PlatformDependent.usedDirectMemory()) + (DIRECT_POOL == null ? 0 : DIRECT_POOL.getMemoryUsed());
    double directShare = maxDirect <= 0 ? -1 : (double) direct / maxDirect;
    return new Reading(heapShare, directShare);
  }

  /**
   * The heap in use after the last collection, read again only when the collectors' counts say one
   * ran since: a {@code GcInfo} is dear to build (tens of microseconds once compiled, a millisecond
   * before), and the sampler wakes ten times a second on the event loops' cores, while collections
   * come a few times a second under load and not at all when idle.
   */
  private static final class HeapAfterCollection {
    private long collections = -1;
    private long used = -1;

    synchronized long get() {
      long count = 0;
      for (java.lang.management.GarbageCollectorMXBean bean : COLLECTORS) {
        count += Math.max(0, bean.getCollectionCount());
      }
      if (count != collections) {
        // a collection ending between the count and the read is seen again at the next sample: the count moved
        used = heapAfterLastCollection();
        collections = count;
      }
      return used;
    }
  }

  /** The heap in use when the most recent collection (of any collector) ended; {@code -1} when none ran or it is unknown. */
  private static long heapAfterLastCollection() {
    com.sun.management.GcInfo latest = null;
    for (java.lang.management.GarbageCollectorMXBean bean : COLLECTORS) {
      // G1's "Concurrent GC" (remark and cleanup) frees no young garbage: its "after" still holds
      // all of eden, so only collections that compact count
      if (bean instanceof com.sun.management.GarbageCollectorMXBean gc && !bean.getName().contains("Concurrent")) {
        com.sun.management.GcInfo info = gc.getLastGcInfo();
        if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
          latest = info;
        }
      }
    }
    if (latest == null) {
      return -1;
    }
    Map<String, MemoryUsage> after = latest.getMemoryUsageAfterGc();
    long used = 0;
    for (MemoryPoolMXBean pool : HEAP_POOLS) {
      MemoryUsage usage = after.get(pool.getName());
      if (usage != null) {
        used += usage.getUsed();
      }
    }
    return used;
  }
}
