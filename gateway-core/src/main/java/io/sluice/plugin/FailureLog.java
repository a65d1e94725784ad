package io.sluice.plugin;

import io.sluice.spi.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The warnings of one plugin on one route, so that a plugin failing on every request does not
 * log a stack trace per request. Warnings are grouped by kind (the hook and the exception class,
 * or "timed out", ...): the first of a kind is logged in full, with its stack trace; the ones
 * that follow within {@link #INTERVAL_NANOS} are only counted, and the first one after the
 * interval logs a single summary line with the count. A kind that stayed quiet for a whole
 * interval starts over with a full warning.
 */
final class FailureLog {

  static final long INTERVAL_NANOS = 10_000_000_000L;
  /** Kinds are exception classes, which a plugin could make many of: past this many, all share one. */
  private static final int MAX_KINDS = 64;

  private final System.Logger logger;
  private final Ticker ticker;
  private final ConcurrentMap<String, AtomicReference<Window>> windows = new ConcurrentHashMap<>();

  /** One interval of one kind: when it started and how many warnings it held back. */
  private record Window(long start, AtomicLong suppressed) {
    Window(long start) {
      this(start, new AtomicLong());
    }
  }

  FailureLog(System.Logger logger, Ticker ticker) {
    this.logger = logger;
    this.ticker = ticker;
  }

  /**
   * Logs {@code message} (one line, with {@code failure}'s stack trace when there is one) unless
   * a warning of the same {@code kind} was logged less than an interval ago.
   *
   * @param kind what makes two warnings the same, e.g. {@code onRequest java.lang.IllegalStateException}
   * @param message the whole sentence, naming plugin, route and request
   * @param failure the exception, or {@code null}
   */
  void warn(String kind, String message, Throwable failure) {
    AtomicReference<Window> slot = windows.get(kind);
    if (slot == null) {
      slot = windows.size() >= MAX_KINDS
          ? windows.computeIfAbsent("other", k -> new AtomicReference<>())
          : windows.computeIfAbsent(kind, k -> new AtomicReference<>());
    }
    long now = ticker.nanoTime();
    while (true) {
      Window current = slot.get();
      boolean open = current != null && now - current.start() < INTERVAL_NANOS;
      if (open) {
        current.suppressed().incrementAndGet();
        return;
      }
      Window next = new Window(now);
      if (!slot.compareAndSet(current, next)) {
        continue; // another thread opened the next interval: count this one there
      }
      long held = current == null ? 0 : current.suppressed().get();
      if (held == 0) {
        logger.log(System.Logger.Level.WARNING, message, failure);
      } else {
        // this warning opens a new interval and is part of the summary: no stack trace again
        logger.log(System.Logger.Level.WARNING, message + " [" + (held + 1) + " like this in the last "
            + (now - current.start()) / 1_000_000_000L + "s: logged in full the first time, then once per "
            + INTERVAL_NANOS / 1_000_000_000L + "s]");
      }
      return;
    }
  }
}
