package io.sluice.plugins.cache;

/** The client's preconditions, judged against a stored response (RFC 9110 section 13). */
final class Conditionals {

  private Conditionals() {}

  /**
   * Whether a {@code GET} or {@code HEAD} with these fields is answered 304: {@code If-None-Match}
   * by weak comparison of entity tags; without it, {@code If-Modified-Since} against
   * {@code Last-Modified} (or {@code Date}).
   */
  static boolean notModified(String ifNoneMatch, String ifModifiedSince, StoredResponse entry) {
    if (entry.status != 200) {
      return false;
    }
    if (ifNoneMatch != null) {
      if (ifNoneMatch.strip().equals("*")) {
        return true;
      }
      if (entry.etag == null) {
        return false;
      }
      String stored = opaque(entry.etag);
      for (String tag : ifNoneMatch.split(",")) {
        if (opaque(tag).equals(stored)) {
          return true;
        }
      }
      return false;
    }
    if (ifModifiedSince != null) {
      long since = HttpDates.parse(ifModifiedSince);
      long modified = HttpDates.parse(entry.lastModified != null ? entry.lastModified : entry.headers.get("date"));
      return since != Long.MIN_VALUE && modified != Long.MIN_VALUE && modified <= since;
    }
    return false;
  }

  /** Whether {@code If-Range} (absent, an entity tag compared strongly, or a date) lets a range be served. */
  static boolean ifRangeHolds(String ifRange, StoredResponse entry) {
    if (ifRange == null) {
      return true;
    }
    String value = ifRange.strip();
    if (value.startsWith("\"") || value.startsWith("W/")) {
      return entry.etag != null && !value.startsWith("W/") && !entry.etag.startsWith("W/") && value.equals(entry.etag.strip());
    }
    long date = HttpDates.parse(value);
    return date != Long.MIN_VALUE && entry.lastModified != null && date == HttpDates.parse(entry.lastModified);
  }

  /** The opaque part of an entity tag, without {@code W/}: weak comparison. */
  private static String opaque(String tag) {
    String t = tag.strip();
    return t.startsWith("W/") ? t.substring(2) : t;
  }
}
