package io.sluice.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the headers of a plugin's answer ({@link DirectResponse}, {@link GatewayError}) when the
 * answer is made, so that a bad one fails in the plugin that made it, which the gateway names,
 * rather than later while the response is written.
 */
final class AnswerHeaders {

  /** Framing and connection fields: the gateway sets them for each protocol and connection. */
  private static final Set<String> MANAGED = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "te");

  private AnswerHeaders() {}

  /** An unmodifiable copy of {@code headers}, in order, after checking every field. */
  static Map<String, String> checked(Map<String, String> headers) {
    if (headers == null) {
      throw new IllegalArgumentException("headers: null (expected: a map, possibly empty)");
    }
    if (headers.isEmpty()) {
      return Map.of(); // the common case (GatewayError.of): nothing to copy
    }
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.forEach(AnswerHeaders::check);
    return Collections.unmodifiableMap(copy);
  }

  static void check(String name, String value) {
    if (!Headers.isValidName(name)) {
      throw new IllegalArgumentException("header name " + quote(name)
          + " is not a token (expected: ASCII letters, digits and !#$%&'*+-.^_`|~, such as x-reason)");
    }
    if (MANAGED.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("header '" + name
          + "' is set by the gateway (connection and framing headers cannot be part of a plugin's answer)");
    }
    if (value == null) {
      throw new IllegalArgumentException("header '" + name + "' has no value (expected: a string, possibly empty)");
    }
    if (!Headers.isValidValue(value)) {
      throw new IllegalArgumentException("header '" + name + "' has the value " + quote(value)
          + ", which cannot be sent (expected: visible ASCII, space, tab or U+0080..U+00FF; no CR, LF or other control characters)");
    }
  }

  /** The text in quotes with control and non-Latin-1 characters escaped, so a message never splits a log line. */
  private static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7F || c > 0xFF) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
