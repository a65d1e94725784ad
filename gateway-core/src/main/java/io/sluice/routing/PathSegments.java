package io.sluice.routing;

/**
 * Walks a path's segments by index instead of splitting it, so a lookup allocates no arrays
 * or substrings. A position {@code start} is the index of a segment's first character; the
 * segment ends at {@link #end}. {@code /} has no segments; {@code /a/} has {@code a} and an
 * empty last segment.
 */
final class PathSegments {

  private PathSegments() {}

  /** Where the first segment starts; past the end when the path is {@code /}. */
  static int first(String path) {
    return path.length() == 1 ? 2 : 1;
  }

  /** Whether a segment starts at {@code start}. */
  static boolean has(String path, int start) {
    return start <= path.length();
  }

  /** The index just past the segment that starts at {@code start}. */
  static int end(String path, int start) {
    int slash = path.indexOf('/', start);
    return slash < 0 ? path.length() : slash;
  }
}
