package io.sluice.testing;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link System.Logger} that keeps what it is given, for tests of what code logs and how often. */
public final class RecordingLogger implements System.Logger {

  /** One message as logged (a format is kept unformatted). */
  public record Line(String message, Throwable thrown) {}

  private final List<Line> lines = new CopyOnWriteArrayList<>();

  /** What was logged so far, oldest first. */
  public List<Line> lines() {
    return lines;
  }

  @Override
  public String getName() {
    return "test";
  }

  @Override
  public boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
    lines.add(new Line(message, thrown));
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    lines.add(new Line(format, null));
  }
}
