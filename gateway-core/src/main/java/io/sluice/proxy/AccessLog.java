package io.sluice.proxy;

import io.sluice.config.AccessLogConfig;
import io.sluice.logging.AccessLogEntry;
import io.sluice.logging.AccessLogWriter;
import io.sluice.plugin.RequestChainRun;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Identity;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * One line per exchange. On the event loop, {@link #log} only takes what the line needs from the exchange (references
 * and numbers) and queues it; formatting and writing happen on the {@link AccessLogWriter}'s thread, and when that
 * falls behind, lines beyond a bound are dropped and counted rather than slowing traffic. {@link #disabled()} is the
 * log of {@code access_log: false}: it neither collects nor queues anything.
 */
public final class AccessLog implements AutoCloseable {

  private final AccessLogWriter writer;

  private AccessLog(AccessLogWriter writer) {
    this.writer = writer;
  }

  /** Text lines to {@code sink} (flushed, never closed). */
  public AccessLog(OutputStream sink) {
    this(sink, AccessLogConfig.Format.TEXT);
  }

  /** Lines of {@code format} to {@code sink} (flushed, never closed). */
  public AccessLog(OutputStream sink, AccessLogConfig.Format format) {
    this(AccessLogWriter.toStream(sink, format));
  }

  /** The log {@code config} asks for; a file is opened (created) now. */
  public static AccessLog open(AccessLogConfig config) throws IOException {
    return config.enabled() ? new AccessLog(AccessLogWriter.open(config)) : disabled();
  }

  /** A log that writes nothing and costs nothing per exchange. */
  public static AccessLog disabled() {
    return new AccessLog((AccessLogWriter) null);
  }

  /** Whether lines are written at all. */
  public boolean isEnabled() {
    return writer != null;
  }

  /** Queues the line for {@code exchange}, which has ended; never blocks. Called on the exchange's event loop. */
  public void log(Exchange exchange) {
    if (writer != null) {
      writer.offer(entry(exchange));
    }
  }

  /** Lines dropped because the writer fell behind. */
  public long dropped() {
    return writer == null ? 0 : writer.dropped();
  }

  /** Closes the log file and opens it again by name (SIGUSR1, after logrotate renamed it); returns at once. */
  public void reopen() {
    if (writer != null) {
      writer.reopen();
    }
  }

  static AccessLogEntry entry(Exchange e) {
    GatewayError error = e.error();
    long upstreamNanos = e.upstreamLatencyNanos();
    RequestChainRun run = e.chainRun();
    Identity identity = e.view() == null ? null : e.view().get(Identity.KEY);
    return new AccessLogEntry(
        System.currentTimeMillis(),
        e.requestId(),
        e.trace() == null ? null : e.trace().traceId(),
        e.clientAddress(),
        e.clientIp(),
        e.listener(),
        e.protocol(),
        e.method(),
        e.host(),
        e.target(),
        e.secretParameters(),
        "-".equals(e.routeId()) ? null : e.routeId(),
        "-".equals(e.upstream()) ? null : e.upstream(),
        e.status(),
        e.grpcStatus(),
        error == null ? null : error.code().name(),
        error == null ? null : error.source().name().toLowerCase(Locale.ROOT),
        error == null || error.details().isEmpty() ? null : error.details(),
        e.abort().isEmpty() ? null : e.abort(),
        e.requestBytes(),
        e.responseBytes(),
        System.nanoTime() - e.startNanos(),
        upstreamNanos,
        run == null ? null : run.pluginNames(),
        run == null ? null : run.decidedNanos(), // no longer written: the chain ended before the exchange
        identity == null ? null : identity.subject(),
        identity == null ? null : identity.consumer(),
        e.attempts());
  }

  /** Writes what is queued and stops the writer. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
