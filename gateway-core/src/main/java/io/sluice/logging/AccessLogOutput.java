package io.sluice.logging;

import java.io.IOException;

/** Where access-log lines go. Used by the writer thread only. */
interface AccessLogOutput {

  /** Writes one line, line break included; may buffer. */
  void write(byte[] line) throws IOException;

  void flush() throws IOException;

  /** Closes the file and opens it again by name (after logrotate renamed it); nothing for a stream. */
  void reopen() throws IOException;

  void close() throws IOException;
}
