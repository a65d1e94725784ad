package io.sluice.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reading of a query string, for route conditions and for plugins
 * ({@code Exchange.queryParameter}), so that both see the same parameters. It never fails: the
 * query comes from the client, and a bad escape is the client's business, not a 500.
 *
 * <ul>
 *   <li>Parameters are separated by {@code &} only (not {@code ;}); empty pieces are skipped.
 *   <li>{@code name} and {@code name=} both give {@code ""}; a repeated name keeps every value, in order.
 *   <li>Names and values are decoded like a form: {@code +} is a space, {@code %XX} escapes are
 *       bytes, and the bytes are read as UTF-8, a sequence that is not UTF-8 becoming U+FFFD.
 *   <li>A malformed escape ({@code %zz}, {@code %4}, a lone {@code %}) is kept as written.
 * </ul>
 */
public final class QueryString {

  private QueryString() {}

  /**
   * The parameters of {@code rawQuery} (without {@code ?}; {@code null} or empty for none), by
   * decoded name, in order of first appearance. The map and its lists cannot be changed.
   */
  public static Map<String, List<String>> parse(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    int start = 0;
    while (start <= rawQuery.length()) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = rawQuery.length();
      }
      if (end > start) {
        int equals = rawQuery.indexOf('=', start);
        boolean hasValue = equals >= 0 && equals < end;
        String name = decode(rawQuery, start, hasValue ? equals : end);
        String value = hasValue ? decode(rawQuery, equals + 1, end) : "";
        params.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      }
      start = end + 1;
    }
    params.replaceAll((name, values) -> List.copyOf(values));
    return Collections.unmodifiableMap(params);
  }

  /** One name or value, decoded as described in the class comment. */
  public static String decode(String text) {
    return decode(text, 0, text.length());
  }

  private static String decode(String text, int from, int to) {
    int special = from;
    while (special < to) {
      char c = text.charAt(special);
      if (c == '%' || c == '+' || c >= 0x80) {
        break;
      }
      special++;
    }
    if (special == to) {
      return text.substring(from, to); // nothing to decode: the common case
    }
    byte[] bytes = new byte[(to - from) * 3];
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < to && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
        bytes[n++] = (byte) (hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)));
        i += 2;
      } else if (c == '+') {
        bytes[n++] = ' ';
      } else if (c <= 0xFF) {
        // A raw octet of the request target (HTTP/1.1 and HTTP/2 carry the target as bytes,
        // read here as ISO-8859-1): part of the UTF-8 text like an escaped one.
        bytes[n++] = (byte) c;
      } else {
        // text that did not come off the wire (the CLI, tests): its own UTF-8
        int end = Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1)) ? i + 2 : i + 1;
        byte[] utf8 = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, bytes, n, utf8.length);
        n += utf8.length;
        i = end - 1;
      }
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
