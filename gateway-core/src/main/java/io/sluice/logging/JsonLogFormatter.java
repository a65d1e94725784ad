package io.sluice.logging;

import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The gateway log as one JSON object per line:
 * {@code {"time":"2026-11-23T16:40:34.509Z","level":"WARN","logger":"io.sluice.server.GatewayServer",
 * "thread":"sluice-reload","message":"...","exception":"java.io.IOException: ...\n\tat ..."}}; {@code exception} only
 * when there is one. Levels use the names of {@code logging.level}: ERROR, WARN, INFO, DEBUG, TRACE.
 */
final class JsonLogFormatter extends Formatter {

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(200);
    line.append("{\"time\":\"");
    UtcTime.append(line, record.getMillis());
    line.append("\",\"level\":\"").append(levelName(record.getLevel())).append('"');
    JsonText.appendName(line, "logger");
    JsonText.appendString(line, record.getLoggerName());
    JsonText.appendName(line, "thread");
    JsonText.appendString(line, threadName(record));
    JsonText.appendName(line, "message");
    JsonText.appendString(line, formatMessage(record));
    if (record.getThrown() != null) {
      JsonText.appendName(line, "exception");
      JsonText.appendString(line, OneLineFormatter.stackTrace(record.getThrown()));
    }
    return line.append('}').append(System.lineSeparator()).toString();
  }

  static String levelName(Level level) {
    int value = level.intValue();
    if (value >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (value >= Level.WARNING.intValue()) {
      return "WARN";
    }
    if (value >= Level.CONFIG.intValue()) {
      return "INFO";
    }
    return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
  }

  /** Handlers format on the thread that logged (the console handler does); otherwise the record only has its id. */
  private static String threadName(LogRecord record) {
    Thread current = Thread.currentThread();
    return current.threadId() == record.getLongThreadID() ? current.getName() : "thread-" + record.getLongThreadID();
  }
}
