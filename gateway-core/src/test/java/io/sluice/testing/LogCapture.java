package io.sluice.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the gateway logs (java.util.logging, which {@link System.Logger} and Netty's
 * logging end up in) while a test runs: every record that reaches the root logger, plus the
 * records of {@code verbose} loggers at all levels, which are opened up to {@code ALL} for the
 * duration and restored on {@link #close()}.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("");
  // Held strongly: the log manager keeps loggers only weakly, and a collected one would lose its level.
  private final List<Logger> opened = new ArrayList<>();
  private final List<Level> previousLevels = new ArrayList<>();

  private LogCapture(String... verbose) {
    setLevel(Level.ALL);
    for (String name : verbose) {
      Logger logger = Logger.getLogger(name);
      opened.add(logger);
      previousLevels.add(logger.getLevel());
      logger.setLevel(Level.ALL);
    }
    root.addHandler(this);
  }

  /** Starts collecting; the loggers named in {@code verbose} (and their children) log at all levels meanwhile. */
  public static LogCapture start(String... verbose) {
    return new LogCapture(verbose);
  }

  /** The records so far, in order. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The records so far at {@code level} or above. */
  public List<LogRecord> atLeast(Level level) {
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
  }

  /** The records so far whose message (with its parameters filled in) contains {@code text}. */
  public List<LogRecord> containing(String text) {
    return records.stream().filter(r -> message(r).contains(text)).toList();
  }

  /** A record's message with its parameters filled in, as a formatter would print it. */
  public static String message(LogRecord record) {
    return new java.util.logging.SimpleFormatter().formatMessage(record);
  }

  /** The number of characters the records so far would take in a log file, stack traces included. */
  public long volume() {
    java.util.logging.SimpleFormatter formatter = new java.util.logging.SimpleFormatter();
    return records.stream().mapToLong(r -> formatter.format(r).length()).sum();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    for (int i = 0; i < opened.size(); i++) {
      opened.get(i).setLevel(previousLevels.get(i));
    }
  }
}
