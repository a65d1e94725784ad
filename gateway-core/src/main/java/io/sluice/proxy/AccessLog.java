package io.sluice.proxy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One line per exchange, written by a background thread so event loops never block on the
 * output. When the writer cannot keep up, lines beyond a bound are dropped and counted
 * rather than slowing traffic. {@link #disabled()} is the log of {@code access_log: false}:
 * it neither formats nor queues anything.
 *
 * <p>Format (space separated, {@code -} for absent):
 * {@code time request_id client method target status route upstream code source details
 * request_bytes response_bytes duration_ms upstream_ms abort}.
 */
public final class AccessLog implements AutoCloseable {

  private static final int MAX_QUEUED = 65_536;
  /**
   * The writer drains the queue every {@link #DRAIN_INTERVAL_MILLIS} on its own; it is woken
   * early only when this many lines wait. Waking it for every line cost the event loop a futex
   * call and a context switch per request.
   */
  private static final int WAKE_AT = 4_096;
  private static final long DRAIN_INTERVAL_MILLIS = 50;
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.")
      .withZone(ZoneOffset.UTC);

  /** The formatted second of the latest line, shared by all event loops (a stale one is just rebuilt). */
  private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

  private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final PrintStream out;
  private final Thread writer;
  private volatile boolean closed;

  public AccessLog(OutputStream sink) {
    this.out = new PrintStream(sink, false, StandardCharsets.UTF_8);
    this.writer = Thread.ofPlatform().daemon().name("sluice-access-log").start(this::drain);
  }

  private AccessLog() {
    this.out = null;
    this.writer = null;
  }

  /** A log that writes nothing and costs nothing per exchange. */
  public static AccessLog disabled() {
    return new AccessLog();
  }

  /** Whether lines are written at all. */
  public boolean isEnabled() {
    return writer != null;
  }

  /** Queues the line for {@code exchange}; never blocks. */
  public void log(Exchange exchange) {
    if (writer == null) {
      return;
    }
    int waiting = queued.incrementAndGet();
    if (waiting > MAX_QUEUED) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    queue.add(format(exchange));
    if (waiting == WAKE_AT) {
      LockSupport.unpark(writer);
    }
  }

  /** Lines dropped because the writer fell behind. */
  public long dropped() {
    return dropped.get();
  }

  static String format(Exchange e) {
    var error = e.error();
    long durationMicros = (System.nanoTime() - e.startNanos()) / 1000;
    long upstreamNanos = e.upstreamLatencyNanos();
    StringBuilder line = new StringBuilder(200);
    appendTime(line, System.currentTimeMillis());
    line.append(' ')
        .append(e.requestId()).append(' ')
        .append(e.clientAddress()).append(' ')
        .append(e.method()).append(' ')
        .append(e.target()).append(' ')
        .append(e.status()).append(' ')
        .append(e.routeId()).append(' ')
        .append(e.upstream()).append(' ')
        .append(error == null ? "-" : error.code().name()).append(' ')
        .append(error == null ? "-" : error.source().name().toLowerCase(java.util.Locale.ROOT)).append(' ')
        .append(error == null || error.details().isEmpty() ? "-" : '"' + error.details().replace('"', '\'') + '"').append(' ')
        .append(e.requestBytes()).append(' ')
        .append(e.responseBytes()).append(' ')
        .append(durationMicros / 1000).append('.');
    appendThreeDigits(line, (int) (durationMicros % 1000));
    line.append(' ')
        .append(upstreamNanos < 0 ? "-" : String.valueOf(TimeUnit.NANOSECONDS.toMillis(upstreamNanos))).append(' ')
        .append(e.abort().isEmpty() ? "-" : e.abort());
    return line.toString();
  }

  /** {@code 2026-11-23T16:40:34.509Z}: UTC, to the millisecond. */
  private static void appendTime(StringBuilder line, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Second formatted = lastSecond;
    if (formatted.epochSecond != second) {
      formatted = new Second(second, SECOND.format(Instant.ofEpochSecond(second)));
      lastSecond = formatted;
    }
    line.append(formatted.text);
    appendThreeDigits(line, (int) Math.floorMod(epochMillis, 1000));
    line.append('Z');
  }

  private static void appendThreeDigits(StringBuilder line, int value) {
    line.append((char) ('0' + value / 100)).append((char) ('0' + value / 10 % 10)).append((char) ('0' + value % 10));
  }

  private record Second(long epochSecond, String text) {}

  private void drain() {
    while (true) {
      String line = queue.poll();
      if (line == null) {
        out.flush();
        if (closed) {
          return;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_INTERVAL_MILLIS));
        continue;
      }
      queued.decrementAndGet();
      out.println(line);
    }
  }

  /** Writes what is queued and stops the writer. */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.flush();
  }
}
