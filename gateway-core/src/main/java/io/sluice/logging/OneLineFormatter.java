package io.sluice.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The gateway log's text format, one line per record (a stack trace follows on its own lines):
 * {@code 2026-11-23T16:40:34.509Z WARNING io.sluice.server.GatewayServer: message}, the time in UTC.
 */
final class OneLineFormatter extends Formatter {

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(160);
    UtcTime.append(line, record.getMillis());
    line.append(' ').append(record.getLevel().getName())
        .append(' ').append(record.getLoggerName())
        .append(": ").append(formatMessage(record));
    if (record.getThrown() != null) {
      line.append(System.lineSeparator()).append(stackTrace(record.getThrown()));
    } else {
      line.append(System.lineSeparator());
    }
    return line.toString();
  }

  static String stackTrace(Throwable thrown) {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      thrown.printStackTrace(out);
    }
    return text.toString();
  }
}
