package io.sluice.logging;

import io.sluice.config.AccessLogConfig;

/** Turns an entry into one line (without the line break). Called on the access log's writer thread only. */
public interface AccessLogFormat {

  void append(StringBuilder line, AccessLogEntry entry);

  static AccessLogFormat of(AccessLogConfig.Format format) {
    return switch (format) {
      case TEXT -> new TextAccessLogFormat();
      case JSON -> new JsonAccessLogFormat();
    };
  }
}
