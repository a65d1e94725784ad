package io.sluice.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Human-readable durations as written in config files: a whole number and a unit,
 * {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h} or {@code 1d}; a bare {@code 0} is zero.
 *
 * {@snippet :
 * Duration timeout = Durations.parse("250ms"); // PT0.25S
 * }
 */
public final class Durations {

  static final String EXPECTED = "a duration such as 250ms, 10s, 5m, 1h or 1d";

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a sentence naming the value and the accepted form
   */
  public static Duration parse(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    int unitStart = 0;
    while (unitStart < text.length() && isAsciiDigit(text.charAt(unitStart))) {
      unitStart++;
    }
    ChronoUnit unit = switch (text.substring(unitStart)) {
      case "ms" -> ChronoUnit.MILLIS;
      case "s" -> ChronoUnit.SECONDS;
      case "m" -> ChronoUnit.MINUTES;
      case "h" -> ChronoUnit.HOURS;
      case "d" -> ChronoUnit.DAYS;
      default -> null;
    };
    if (unitStart == 0 || unit == null) {
      throw new IllegalArgumentException(Messages.invalid(text, EXPECTED));
    }
    try {
      return Duration.of(Long.parseLong(text.substring(0, unitStart)), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(Messages.quote(text) + " is too large (expected: " + EXPECTED + ")");
    }
  }

  static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
