package io.sluice.logging;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Lines appended to a file. Works with logrotate either way: after it renamed the file, {@link #reopen} (SIGUSR1)
 * starts a new one under the configured name; with {@code copytruncate}, writes continue at the new end because the
 * file is opened in append mode. With a {@code maxSizeBytes}, the file is also rotated by the gateway itself once it
 * grows past that size: {@code FILE.(n-1)} becomes {@code FILE.n} (the oldest, {@code FILE.maxFiles}, is deleted),
 * and {@code FILE} becomes {@code FILE.1}.
 */
final class FileOutput implements AccessLogOutput {

  private final Path file;
  private final long maxSizeBytes;
  private final int maxFiles;
  private OutputStream out;
  private long size;

  /** Opens (or creates) {@code file} for appending. */
  FileOutput(Path file, long maxSizeBytes, int maxFiles) throws IOException {
    this.file = file;
    this.maxSizeBytes = maxSizeBytes;
    this.maxFiles = maxFiles;
    open();
  }

  private void open() throws IOException {
    out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE), 64 * 1024);
    size = Files.size(file);
  }

  @Override
  public void write(byte[] line) throws IOException {
    if (maxSizeBytes > 0 && size > 0 && size + line.length > maxSizeBytes) {
      rotate();
    }
    out.write(line);
    size += line.length;
  }

  private void rotate() throws IOException {
    out.close();
    Files.deleteIfExists(rotated(maxFiles));
    for (int n = maxFiles - 1; n >= 1; n--) {
      Path older = rotated(n);
      if (Files.exists(older)) {
        Files.move(older, rotated(n + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    open();
  }

  private Path rotated(int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void reopen() throws IOException {
    try {
      out.close();
    } finally {
      open();
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
