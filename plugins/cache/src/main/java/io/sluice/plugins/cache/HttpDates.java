package io.sluice.plugins.cache;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate in, IMF-fixdate out. */
final class HttpDates {

  private HttpDates() {}

  /** Epoch milliseconds, or {@link Long#MIN_VALUE} when absent or not a date (an invalid Expires means "already expired"). */
  static long parse(String value) {
    if (value == null) {
      return Long.MIN_VALUE;
    }
    try {
      return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return Long.MIN_VALUE;
    }
  }

  static String format(long epochMillis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC));
  }
}
