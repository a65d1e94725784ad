package io.sluice.routing;

import io.sluice.routing.NormalizedPath.Rejection;

/**
 * Brings a request path into the one form that routes are matched against and that goes
 * upstream, so that {@code /public/../admin}, {@code /%2e%2e/admin} and {@code //admin} cannot
 * reach a route for {@code /admin} by a different spelling than the one the route's plugins
 * were configured for.
 *
 * <p>Rules, in order: the path must start with {@code /}; percent-escapes of unreserved
 * characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded and all other escapes are kept with
 * upper-case hex; malformed escapes, {@code %2F}, {@code %5C} and {@code %00} are refused; raw
 * characters outside RFC 3986 {@code pchar} are refused, except {@code [ ] | ^} which browsers
 * send unencoded; {@code //} collapses to {@code /}; dot segments are removed as in RFC 3986
 * section 5.2.4 (never above the root). A trailing slash and letter case are kept.
 *
 * <p>Matrix parameters ({@code ;} and what follows it up to the next {@code /}) are set aside:
 * Tomcat, Jetty and Spring read {@code /admin;x/secret} as {@code /admin/secret}, so that is the
 * path routes and plugins see, and the path as written is kept next to it for a route that
 * forwards them. Spellings that servers read differently are refused outright: an encoded
 * semicolon ({@code %3B}), and parameters on an empty, {@code .} or {@code ..} segment
 * ({@code /public/..;/admin}, which those servers resolve as {@code ..}).
 *
 * <p>Allocation-free for paths that need no change: the input string itself is returned.
 */
public final class PathNormalizer {

  private static final String UNRESERVED_PUNCTUATION = "-._~";
  // pchar minus unreserved and pct-encoded, plus what browsers leave unencoded in paths.
  private static final String OTHER_RAW = "!$&'()*+,;=:@/[]|^";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static final boolean[] UNRESERVED = new boolean[128];
  private static final boolean[] RAW = new boolean[128];
  // RAW without ';': a path with matrix parameters takes the slow path.
  private static final boolean[] CLEAN = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      UNRESERVED[c] = true;
      UNRESERVED[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      UNRESERVED[c] = true;
    }
    for (char c : UNRESERVED_PUNCTUATION.toCharArray()) {
      UNRESERVED[c] = true;
    }
    System.arraycopy(UNRESERVED, 0, RAW, 0, RAW.length);
    for (char c : OTHER_RAW.toCharArray()) {
      RAW[c] = true;
    }
    System.arraycopy(RAW, 0, CLEAN, 0, CLEAN.length);
    CLEAN[';'] = false;
  }

  private PathNormalizer() {}

  /**
   * Normalizes the path part of a request target (everything before {@code ?}).
   *
   * @param rawPath the path as received, still percent-encoded
   * @return {@link NormalizedPath.Ok} with the normalized path, or a {@link Rejection}
   */
  public static NormalizedPath normalize(String rawPath) {
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      return Rejection.NOT_ABSOLUTE;
    }
    if (isNormal(rawPath)) {
      return new NormalizedPath.Ok(rawPath);
    }
    return rewrite(rawPath);
  }

  /**
   * Whether the path is already in normal form: no escapes, no {@code //}, no dot segments, no
   * matrix parameters.
   */
  private static boolean isNormal(String path) {
    int length = path.length();
    char previous = '/';
    for (int i = 1; i < length; i++) {
      char c = path.charAt(i);
      if (c >= 128 || !CLEAN[c]) {
        return false; // '%' is not in CLEAN either: escapes always take the slow path
      }
      if (previous == '/' && (c == '/' || c == '.' && isDotSegment(path, i))) {
        return false;
      }
      previous = c;
    }
    return true;
  }

  /** Whether the segment starting at {@code start} (a '.') is {@code .} or {@code ..}. */
  private static boolean isDotSegment(String path, int start) {
    int end = path.indexOf('/', start);
    int length = (end < 0 ? path.length() : end) - start;
    return length == 1 || length == 2 && path.charAt(start + 1) == '.';
  }

  /**
   * One pass over the path: each segment is decoded into {@code out} behind its '/', then
   * dropped or popped when it turns out to be empty, {@code .} or {@code ..}. Matrix parameters
   * stay in {@code out}; the path without them is derived at the end, only when there are any.
   */
  private static NormalizedPath rewrite(String raw) {
    int length = raw.length();
    char[] out = new char[length];
    int o = 0;
    int i = 0; // always at a '/'
    boolean matrix = false;
    while (i < length) {
      int segmentStart = o;
      int parametersStart = -1; // where the segment's first ';' went in out
      out[o++] = '/';
      i++;
      while (i < length && raw.charAt(i) != '/') {
        char c = raw.charAt(i);
        if (c == '%') {
          int decoded = escapeAt(raw, i);
          if (decoded < 0) {
            return Rejection.MALFORMED_ESCAPE;
          }
          if (decoded == '/' || decoded == '\\') {
            return Rejection.ENCODED_SEPARATOR;
          }
          if (decoded == 0) {
            return Rejection.ENCODED_NUL;
          }
          if (decoded == ';') {
            return Rejection.ENCODED_SEMICOLON;
          }
          if (decoded < 128 && UNRESERVED[decoded]) {
            out[o++] = (char) decoded;
          } else {
            out[o++] = '%';
            out[o++] = HEX[decoded >> 4];
            out[o++] = HEX[decoded & 0xF];
          }
          i += 3;
        } else if (c >= 128 || !RAW[c]) {
          return Rejection.ILLEGAL_CHARACTER;
        } else {
          if (c == ';' && parametersStart < 0) {
            parametersStart = o;
          }
          out[o++] = c;
          i++;
        }
      }
      if (parametersStart < 0) {
        o = settleSegment(out, segmentStart, o, i >= length);
      } else if (isEmptyOrDot(out, segmentStart + 1, parametersStart)) {
        // Servers that strip parameters would resolve this as '//', '.' or '..' after we matched.
        return Rejection.MATRIX_PARAMETERS_ON_DOT_SEGMENT;
      } else {
        matrix = true;
      }
    }
    if (o == 0) {
      out[o++] = '/';
    }
    String matrixPath = sameText(raw, out, o) ? raw : new String(out, 0, o);
    if (!matrix) {
      return new NormalizedPath.Ok(matrixPath);
    }
    int stripped = withoutMatrixParameters(out, o); // a later '..' may have popped every ';' segment
    return stripped == o ? new NormalizedPath.Ok(matrixPath) : new NormalizedPath.Ok(new String(out, 0, stripped), matrixPath);
  }

  private static boolean isEmptyOrDot(char[] out, int start, int end) {
    int length = end - start;
    return length == 0 || out[start] == '.' && (length == 1 || length == 2 && out[start + 1] == '.');
  }

  /** Drops each {@code ;...} up to the next '/' from {@code out[0..length)} in place; returns the new length. */
  private static int withoutMatrixParameters(char[] out, int length) {
    int kept = 0;
    boolean skipping = false;
    for (int i = 0; i < length; i++) {
      char c = out[i];
      if (c == '/') {
        skipping = false;
      } else if (c == ';') {
        skipping = true;
      }
      if (!skipping) {
        out[kept++] = c;
      }
    }
    return kept;
  }

  /** Whether nothing changed (say, only canonical escapes such as {@code %C3%A9}): keep the input. */
  private static boolean sameText(String raw, char[] out, int length) {
    if (raw.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (raw.charAt(i) != out[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Applies the dot-segment and empty-segment rules to the segment just written at
   * {@code out[start..end)} (including its leading '/'); returns the new end of the output.
   */
  private static int settleSegment(char[] out, int start, int end, boolean last) {
    int length = end - start - 1;
    boolean dot = length == 1 && out[start + 1] == '.';
    boolean dotDot = length == 2 && out[start + 1] == '.' && out[start + 2] == '.';
    if (length == 0) {
      return last ? end : start; // '//' collapses; a trailing '/' stays
    }
    if (!dot && !dotDot) {
      return end;
    }
    int kept = start;
    if (dotDot) {
      while (kept > 0 && out[--kept] != '/') {
        // back to the '/' that starts the previous segment; at the root there is nothing to pop
      }
    }
    if (last) {
      out[kept++] = '/'; // "/a/b/.." ends as "/a/", like RFC 3986 5.2.4
    }
    return kept;
  }

  /** The byte value of the escape at {@code raw[i]} ('%'), or -1 when it is not two hex digits. */
  private static int escapeAt(String raw, int i) {
    if (i + 2 >= raw.length()) {
      return -1;
    }
    int high = hexValue(raw.charAt(i + 1));
    int low = hexValue(raw.charAt(i + 2));
    return high < 0 || low < 0 ? -1 : high << 4 | low;
  }

  // ASCII only: Character.digit would also accept full-width and other Unicode digits.
  static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }
}
