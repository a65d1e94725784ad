package io.sluice.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** RFC 3339 UTC times to the millisecond, {@code 2026-11-23T16:40:34.509Z}, with the formatted second cached. */
final class UtcTime {

  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.")
      .withZone(ZoneOffset.UTC);

  /** The formatted second of the latest time, shared by all threads (a stale one is just rebuilt). */
  private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

  private UtcTime() {}

  static void append(StringBuilder out, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Second formatted = lastSecond;
    if (formatted.epochSecond != second) {
      formatted = new Second(second, SECOND.format(Instant.ofEpochSecond(second)));
      lastSecond = formatted;
    }
    out.append(formatted.text);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    out.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10)).append('Z');
  }

  private record Second(long epochSecond, String text) {}
}
