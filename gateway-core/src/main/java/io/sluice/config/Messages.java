package io.sluice.config;

/** The shared wording of problem messages, so that every message names a value the same way. */
final class Messages {

  private static final int MAX_QUOTED = 80;

  private Messages() {}

  /**
   * {@code 'value'}, with line breaks and other control characters escaped (a message is one line)
   * and long values shortened.
   */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
    int end = Math.min(value.length(), MAX_QUOTED);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\0' -> out.append("\\0");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (end < value.length()) {
      out.append("...");
    }
    return out.append('\'').toString();
  }

  /** {@code 'value' (expected: what)}: the standard message for a value of the wrong form. */
  static String invalid(String value, String expected) {
    return quote(value) + " (expected: " + expected + ")";
  }
}
