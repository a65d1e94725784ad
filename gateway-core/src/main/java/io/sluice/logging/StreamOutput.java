package io.sluice.logging;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Lines to a stream the gateway does not own (standard output): whole lines are buffered and handed over together,
 * and the stream is flushed but never closed.
 */
final class StreamOutput implements AccessLogOutput {

  private final OutputStream sink;
  private final BufferedOutputStream buffer;

  StreamOutput(OutputStream sink) {
    this.sink = sink;
    this.buffer = new BufferedOutputStream(sink, 64 * 1024);
  }

  @Override
  public void write(byte[] line) throws IOException {
    buffer.write(line);
  }

  @Override
  public void flush() throws IOException {
    buffer.flush();
  }

  @Override
  public void reopen() {}

  @Override
  public void close() throws IOException {
    buffer.flush();
    sink.flush();
  }
}
