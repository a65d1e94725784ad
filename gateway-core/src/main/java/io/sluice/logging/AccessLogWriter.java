package io.sluice.logging;

import io.sluice.config.AccessLogConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's queue and its one writer thread. Event loops only {@link #offer} entries: a lock-free queue with a
 * bound, and when it is full the entry is dropped and counted, so a slow disk never slows traffic. The writer formats
 * and writes them, flushes whenever the queue is empty, and reopens or rotates the file between two lines.
 * {@link #close} writes everything queued before it returns.
 */
public final class AccessLogWriter implements AutoCloseable {

  static final int DEFAULT_CAPACITY = 65_536;
  /**
   * The writer drains the queue every {@link #DRAIN_INTERVAL_MILLIS} on its own; it is woken early only when this many
   * lines wait. Waking it for every line cost the event loop a futex call and a context switch per request.
   */
  private static final int WAKE_AT = 4_096;
  private static final long DRAIN_INTERVAL_MILLIS = 50;
  /** Drops and write failures are reported at most this often. */
  private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final System.Logger LOG = System.getLogger("io.sluice.accesslog");

  private final ConcurrentLinkedQueue<AccessLogEntry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final int capacity;
  private final int wakeAt;
  private final AccessLogFormat format;
  private final AccessLogOutput output;
  private final String destination;
  private final Thread writer;
  private volatile boolean reopenRequested;
  private volatile boolean closed;
  /** Writer thread only. */
  private final StringBuilder line = new StringBuilder(512);
  private long reportedDrops;
  private long reportedFailures;
  private long lastReport = System.nanoTime() - REPORT_INTERVAL_NANOS;

  AccessLogWriter(AccessLogFormat format, AccessLogOutput output, String destination, int capacity) {
    this.format = format;
    this.output = output;
    this.destination = destination;
    this.capacity = capacity;
    this.wakeAt = Math.min(WAKE_AT, Math.max(1, capacity / 2));
    this.writer = Thread.ofPlatform().daemon().name("sluice-access-log").start(this::drain);
  }

  /** Lines of {@code format} to {@code sink}, which is flushed but not closed (standard output, a test's buffer). */
  public static AccessLogWriter toStream(OutputStream sink, AccessLogConfig.Format format) {
    return new AccessLogWriter(AccessLogFormat.of(format), new StreamOutput(sink), "stdout", DEFAULT_CAPACITY);
  }

  /** The writer {@code config} asks for: to its file (opened now, for appending) or to standard output. */
  public static AccessLogWriter open(AccessLogConfig config) throws IOException {
    if (config.file() == null) {
      return toStream(System.out, config.format());
    }
    return new AccessLogWriter(AccessLogFormat.of(config.format()),
        new FileOutput(config.file(), config.maxSizeBytes(), config.maxFiles()), config.file().toString(), DEFAULT_CAPACITY);
  }

  /** Queues an entry; never blocks. Returns {@code false} when the queue was full and the entry was dropped. */
  public boolean offer(AccessLogEntry entry) {
    int waiting = queued.incrementAndGet();
    if (waiting > capacity) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return false;
    }
    queue.add(entry);
    if (waiting == wakeAt) {
      LockSupport.unpark(writer);
    }
    return true;
  }

  /** Entries dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Lines that could not be written (the file could not be written or reopened). */
  public long failed() {
    return failed.get();
  }

  /**
   * Asks the writer to close the file and open it again by name, after the lines queued so far (SIGUSR1, after
   * logrotate renamed the file). Returns at once.
   */
  public void reopen() {
    reopenRequested = true;
    LockSupport.unpark(writer);
  }

  private void drain() {
    while (true) {
      if (reopenRequested) {
        reopenNow();
      }
      AccessLogEntry entry = queue.poll();
      if (entry == null) {
        idle();
        if (closed && queue.isEmpty()) {
          return;
        }
        if (!reopenRequested) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_INTERVAL_MILLIS));
        }
        continue;
      }
      queued.decrementAndGet();
      write(entry);
    }
  }

  /** Nothing is queued: flush, report drops and failures. */
  private void idle() {
    try {
      output.flush();
    } catch (IOException e) {
      failure(e);
    }
    report();
  }

  private void reopenNow() {
    reopenRequested = false;
    try {
      output.reopen();
    } catch (IOException e) {
      failure(e);
    }
  }

  private void write(AccessLogEntry entry) {
    line.setLength(0);
    try {
      format.append(line, entry);
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "access-log line of request " + entry.requestId() + " could not be formatted", e);
      return;
    }
    line.append('\n');
    try {
      output.write(line.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      failed.incrementAndGet();
      failure(e);
      reopenRequested = true; // try a fresh file for the next line
    }
  }

  private void failure(IOException e) {
    long now = System.nanoTime();
    if (now - lastReport >= REPORT_INTERVAL_NANOS) {
      lastReport = now;
      LOG.log(System.Logger.Level.WARNING, "access log " + destination + " cannot be written: " + e);
    }
  }

  private void report() {
    long now = System.nanoTime();
    if (now - lastReport < REPORT_INTERVAL_NANOS) {
      return;
    }
    long drops = dropped.get();
    long failures = failed.get();
    if (drops != reportedDrops || failures != reportedFailures) {
      lastReport = now;
      LOG.log(System.Logger.Level.WARNING, "access log {0}: {1} lines dropped (queue full) and {2} not written since the last report",
          destination, drops - reportedDrops, failures - reportedFailures);
      reportedDrops = drops;
      reportedFailures = failures;
    }
  }

  /** Writes what is queued, flushes, closes a file, and stops the writer (waiting up to 10 seconds). */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      output.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "access log " + destination + " could not be closed: " + e);
    }
  }
}
