package io.sluice.config;

import java.nio.file.Path;

/**
 * {@code server.access_log:} {@code false}, {@code true}, or a mapping with the format and where the lines go.
 *
 * @param enabled whether one line is written per exchange
 * @param format the line format
 * @param file the file the lines are appended to, or {@code null} for standard output
 * @param maxSizeBytes the size at which the file is rotated ({@code FILE} becomes {@code FILE.1}), or {@code 0}
 *     when only an external tool such as logrotate rotates it
 * @param maxFiles how many rotated files ({@code FILE.1} .. {@code FILE.N}) are kept when {@code maxSizeBytes} is set
 */
public record AccessLogConfig(boolean enabled, Format format, Path file, long maxSizeBytes, int maxFiles) {

  /** {@code access_log: true}: text lines on standard output. */
  public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, Format.TEXT, null, 0, 5);
  /** {@code access_log: false}. */
  public static final AccessLogConfig DISABLED = new AccessLogConfig(false, Format.TEXT, null, 0, 5);

  /** The line format. */
  public enum Format {
    /** Space-separated fields, {@code -} for absent ones (the format of {@code access_log: true}). */
    TEXT,
    /** One JSON object per line. */
    JSON
  }
}
