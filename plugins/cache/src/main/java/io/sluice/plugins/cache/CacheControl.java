package io.sluice.plugins.cache;

import java.util.List;
import java.util.Locale;

/**
 * The {@code Cache-Control} directives of a request or response (RFC 9111 section 5.2). Seconds
 * are {@code -1} when absent. A directive given with field names ({@code private="x"},
 * {@code no-cache="x"}) is treated as if unqualified, which RFC 9111 allows and which never stores
 * or serves more than the qualified form would. A duplicated or malformed delta-seconds makes the
 * directive count as 0 (stale at once), the conservative reading.
 */
final class CacheControl {

  static final CacheControl NONE = new CacheControl();

  boolean noStore;
  boolean noCache;
  boolean isPrivate;
  boolean isPublic;
  boolean mustRevalidate;
  boolean proxyRevalidate;
  boolean immutable;
  boolean onlyIfCached;
  long maxAge = -1;
  long sMaxAge = -1;
  long staleWhileRevalidate = -1;
  long staleIfError = -1;
  long minFresh = -1;
  /** max-stale; {@link Long#MAX_VALUE} when given without a value. */
  long maxStale = -1;

  /** The directives of every {@code Cache-Control} line; {@link #NONE} when there are none. */
  static CacheControl parse(List<String> lines) {
    if (lines.isEmpty()) {
      return NONE;
    }
    CacheControl cc = new CacheControl();
    for (String line : lines) {
      for (String part : splitOutsideQuotes(line)) {
        String directive = part.strip();
        if (directive.isEmpty()) {
          continue;
        }
        int eq = directive.indexOf('=');
        String name = (eq < 0 ? directive : directive.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? null : unquote(directive.substring(eq + 1).strip());
        switch (name) {
          case "no-store" -> cc.noStore = true;
          case "no-cache" -> cc.noCache = true;
          case "private" -> cc.isPrivate = true;
          case "public" -> cc.isPublic = true;
          case "must-revalidate" -> cc.mustRevalidate = true;
          case "proxy-revalidate" -> cc.proxyRevalidate = true;
          case "immutable" -> cc.immutable = true;
          case "only-if-cached" -> cc.onlyIfCached = true;
          case "max-age" -> cc.maxAge = seconds(cc.maxAge, value);
          case "s-maxage" -> cc.sMaxAge = seconds(cc.sMaxAge, value);
          case "stale-while-revalidate" -> cc.staleWhileRevalidate = seconds(cc.staleWhileRevalidate, value);
          case "stale-if-error" -> cc.staleIfError = seconds(cc.staleIfError, value);
          case "min-fresh" -> cc.minFresh = seconds(cc.minFresh, value);
          case "max-stale" -> cc.maxStale = value == null ? Long.MAX_VALUE : seconds(cc.maxStale, value);
          default -> { } // extensions we do not understand are ignored (RFC 9111 section 5.2.3)
        }
      }
    }
    return cc;
  }

  /**
   * The directives of a stored response's fields (repeated fields joined): its {@code Cache-Control},
   * or {@code no-cache} for an HTTP/1.0 {@code Pragma: no-cache} without one (RFC 9111 section 5.4).
   */
  static CacheControl ofStored(java.util.Map<String, String> headers) {
    String line = headers.get("cache-control");
    if (line != null) {
      return parse(List.of(line));
    }
    String pragma = headers.get("pragma");
    return pragma != null && pragma.toLowerCase(Locale.ROOT).contains("no-cache") ? parse(List.of("no-cache")) : NONE;
  }

  /** Whether a stale response must not be served without revalidation (must-revalidate, proxy-revalidate, s-maxage). */
  boolean forbidsStale() {
    return mustRevalidate || proxyRevalidate || sMaxAge >= 0;
  }

  private static long seconds(long previous, String value) {
    if (previous >= 0 || value == null || value.isEmpty()) {
      return 0; // duplicated or without a value: conservatively, stale at once
    }
    for (int i = 0; i < value.length(); i++) {
      if (!Character.isDigit(value.charAt(i))) {
        return 0;
      }
    }
    // RFC 9111 section 1.2.2: anything beyond 2^31 is as good as "infinity"
    return value.length() > 10 ? Integer.MAX_VALUE : Math.min(Long.parseLong(value), Integer.MAX_VALUE);
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
  }

  private static List<String> splitOutsideQuotes(String line) {
    if (line.indexOf('"') < 0) {
      return List.of(line.split(","));
    }
    List<String> parts = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }
}
