package io.sluice.logging;

import io.sluice.config.LoggingConfig;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Applies {@code logging:} to the JDK's logging, which the gateway logs through ({@link System.Logger}): the root
 * logger gets one handler writing to {@code sink} in the configured format, the root level is {@code level}, and each
 * logger named in {@code levels} gets its own. {@link #apply} may run again (a reload): it replaces the format and the
 * levels, and loggers no longer named go back to inheriting the root's level.
 *
 * <p>When the JVM was started with {@code -Djava.util.logging.config.file}, that file's handlers and format stay:
 * only the levels are applied.
 */
public final class GatewayLogging implements AutoCloseable {

  private final Logger root = Logger.getLogger("");
  private final Handler handler;
  private final boolean ownHandlers;
  private final Handler[] previousHandlers;
  private final Level previousRootLevel;
  /** The loggers given a level, held strongly: the JDK keeps loggers only weakly, and a collected one would lose its level. */
  private final List<Logger> leveled = new ArrayList<>();

  /** Logging to {@code sink} (standard error in {@code sluice run}); nothing changes until {@link #apply}. */
  public GatewayLogging(OutputStream sink) {
    this(sink, System.getProperty("java.util.logging.config.file") == null);
  }

  /** @param ownHandlers whether the root logger's handlers are replaced by the one writing to {@code sink} */
  GatewayLogging(OutputStream sink, boolean ownHandlers) {
    this.ownHandlers = ownHandlers;
    this.previousHandlers = root.getHandlers();
    this.previousRootLevel = root.getLevel();
    this.handler = new StreamHandler(sink, new OneLineFormatter()) {
      @Override
      public synchronized void publish(java.util.logging.LogRecord record) {
        super.publish(record);
        flush(); // a log line is for now, not for when a buffer fills
      }
    };
    handler.setLevel(Level.ALL);
    try {
      handler.setEncoding(StandardCharsets.UTF_8.name());
    } catch (java.io.UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Applies {@code config}: format, root level, per-logger levels. */
  public synchronized void apply(LoggingConfig config) {
    if (ownHandlers) {
      handler.setFormatter(config.format() == LoggingConfig.Format.JSON ? new JsonLogFormatter() : new OneLineFormatter());
      for (Handler installed : root.getHandlers()) {
        if (installed != handler) {
          root.removeHandler(installed);
        }
      }
      if (root.getHandlers().length == 0) {
        root.addHandler(handler);
      }
    }
    root.setLevel(level(config.level()));
    leveled.forEach(logger -> logger.setLevel(null));
    leveled.clear();
    for (Map.Entry<String, LoggingConfig.Level> entry : config.levels().entrySet()) {
      Logger logger = Logger.getLogger(entry.getKey());
      logger.setLevel(level(entry.getValue()));
      leveled.add(logger);
    }
  }

  /** The JDK level of a {@code logging:} level, as {@link System.Logger} maps its own (DEBUG is FINE). */
  static Level level(LoggingConfig.Level level) {
    return switch (level) {
      case OFF -> Level.OFF;
      case ERROR -> Level.SEVERE;
      case WARN -> Level.WARNING;
      case INFO -> Level.INFO;
      case DEBUG -> Level.FINE;
      case TRACE -> Level.FINEST;
    };
  }

  /** Puts the handlers and levels back as they were before the first {@link #apply} (tests). */
  @Override
  public synchronized void close() {
    handler.flush();
    leveled.forEach(logger -> logger.setLevel(null));
    leveled.clear();
    if (ownHandlers) {
      root.removeHandler(handler);
      for (Handler previous : previousHandlers) {
        if (List.of(root.getHandlers()).indexOf(previous) < 0) {
          root.addHandler(previous);
        }
      }
    }
    root.setLevel(previousRootLevel);
  }
}
