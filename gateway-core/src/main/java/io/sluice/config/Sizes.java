package io.sluice.config;

/**
 * Human-readable byte sizes as written in config files: a whole number, optionally followed by a
 * unit. {@code KiB}, {@code MiB}, {@code GiB} are powers of 1024; {@code KB}, {@code MB}, {@code GB}
 * are powers of 1000; {@code B} or no unit means bytes.
 *
 * {@snippet :
 * long limit = Sizes.parse("16KiB"); // 16384
 * }
 */
public final class Sizes {

  static final String EXPECTED = "a size such as 512, 16KiB, 10MiB, 1GiB or 10MB";

  private Sizes() {}

  /**
   * Parses a size in bytes.
   *
   * @throws IllegalArgumentException with a sentence naming the value and the accepted form
   */
  public static long parse(String text) {
    int unitStart = 0;
    while (unitStart < text.length() && Durations.isAsciiDigit(text.charAt(unitStart))) {
      unitStart++;
    }
    long multiplier = switch (text.substring(unitStart)) {
      case "", "B" -> 1;
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      case "KB" -> 1_000;
      case "MB" -> 1_000_000;
      case "GB" -> 1_000_000_000;
      default -> -1;
    };
    if (unitStart == 0 || multiplier < 0) {
      throw new IllegalArgumentException(Messages.invalid(text, EXPECTED));
    }
    try {
      return Math.multiplyExact(Long.parseLong(text.substring(0, unitStart)), multiplier);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(Messages.quote(text) + " is too large (expected: " + EXPECTED + ")");
    }
  }
}
