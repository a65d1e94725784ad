package io.sluice.config;

/** Where something was written in a config file; lines and columns start at 1. */
public record SourcePosition(String file, int line, int column) {

  public static final SourcePosition UNKNOWN = new SourcePosition("<unknown>", 0, 0);

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
