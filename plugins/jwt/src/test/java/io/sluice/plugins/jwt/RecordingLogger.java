package io.sluice.plugins.jwt;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A logger that keeps what the plugin tells operators, formatted as a log line would be. */
final class RecordingLogger implements System.Logger {

  private final List<String> lines = new CopyOnWriteArrayList<>();

  /** The lines so far, each as {@code LEVEL message}. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines so far at WARNING or above. */
  List<String> warnings() {
    return lines.stream().filter(line -> line.startsWith("WARNING ") || line.startsWith("ERROR ")).toList();
  }

  @Override
  public String getName() {
    return "jwt-test";
  }

  @Override
  public boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
    lines.add(level + " " + message + (thrown == null ? "" : " " + thrown));
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    lines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
  }
}
