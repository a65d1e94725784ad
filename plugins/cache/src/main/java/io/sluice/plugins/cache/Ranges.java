package io.sluice.plugins.cache;

import io.sluice.spi.DirectResponse;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code Range} request served from a complete stored response (RFC 9110 section 14): one byte
 * range as 206, an unsatisfiable one as 416. Several ranges, or a range that cannot be read, are
 * ignored (a server may always answer the whole representation).
 */
final class Ranges {

  private Ranges() {}

  /** The answer for {@code range}, or {@code null} to answer the whole response. */
  static DirectResponse answer(String range, StoredResponse entry, long age, String cacheStatus) {
    String spec = range.strip();
    if (!spec.regionMatches(true, 0, "bytes=", 0, 6) || spec.indexOf(',') >= 0) {
      return null;
    }
    spec = spec.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    long length = entry.body.length;
    long first;
    long last;
    try {
      String from = spec.substring(0, dash).strip();
      String to = spec.substring(dash + 1).strip();
      if (from.isEmpty()) {
        if (to.isEmpty()) {
          return null;
        }
        long suffix = Long.parseLong(to);
        if (suffix == 0) {
          return unsatisfiable(entry, age, cacheStatus);
        }
        first = Math.max(0, length - suffix);
        last = length - 1;
      } else {
        first = Long.parseLong(from);
        last = to.isEmpty() ? length - 1 : Math.min(Long.parseLong(to), length - 1);
        if (!to.isEmpty() && Long.parseLong(to) < first) {
          return null; // invalid: ignored
        }
      }
    } catch (NumberFormatException e) {
      return null;
    }
    if (first < 0) {
      return null;
    }
    if (first >= length) {
      return unsatisfiable(entry, age, cacheStatus);
    }
    Map<String, String> headers = new LinkedHashMap<>(entry.headers);
    headers.put("content-range", "bytes " + first + "-" + last + "/" + length);
    headers.put("age", Long.toString(age));
    headers.put("cache-status", cacheStatus);
    return new DirectResponse(206, headers, "", ByteBuffer.wrap(entry.body, (int) first, (int) (last - first + 1)));
  }

  private static DirectResponse unsatisfiable(StoredResponse entry, long age, String cacheStatus) {
    return DirectResponse.of(416)
        .withHeader("content-range", "bytes */" + entry.body.length)
        .withHeader("age", Long.toString(age))
        .withHeader("cache-status", cacheStatus);
  }
}
