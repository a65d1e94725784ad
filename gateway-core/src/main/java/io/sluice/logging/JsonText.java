package io.sluice.logging;

/**
 * Appends JSON strings (RFC 8259) to a {@link StringBuilder}: quotes, backslashes and control characters escaped, and
 * U+2028/U+2029, which JavaScript does not allow in strings. Shared by the access log and the error bodies.
 */
public final class JsonText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  /** {@code "value"}, escaped; {@code null} for {@code null}. */
  public static void appendString(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    int start = 0;
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 && c != 0x2029) {
        continue;
      }
      out.append(value, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        // control characters, and the line separators JavaScript does not allow in strings
        default -> out.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
      }
    }
    out.append(value, start, length).append('"');
  }

  /** {@code ,"name":} (without the comma for the first field of an object, whose {@code {} is the last character). */
  static void appendName(StringBuilder out, String name) {
    if (out.charAt(out.length() - 1) != '{') {
      out.append(',');
    }
    appendString(out, name);
    out.append(':');
  }

  /** Nanoseconds as milliseconds with three decimals: {@code 12.345}. */
  static void appendMillis(StringBuilder out, long nanos) {
    long micros = nanos / 1000;
    out.append(micros / 1000).append('.');
    int fraction = (int) (micros % 1000);
    out.append((char) ('0' + fraction / 100)).append((char) ('0' + fraction / 10 % 10)).append((char) ('0' + fraction % 10));
  }
}
