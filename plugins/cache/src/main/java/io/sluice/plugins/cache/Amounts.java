package io.sluice.plugins.cache;

import java.util.Locale;

/** Sizes ({@code 256MiB}) and durations ({@code 5m}, {@code none}) as the config writes them. */
final class Amounts {

  private Amounts() {}

  /** Bytes from {@code 512}, {@code 64KiB}, {@code 8MiB}, {@code 1GiB} (also KB, MB, GB as powers of 1000). */
  static long bytes(String key, String text) {
    String t = text.strip();
    int end = 0;
    while (end < t.length() && Character.isDigit(t.charAt(end))) {
      end++;
    }
    if (end == 0 || end > 12) {
      throw new IllegalArgumentException(key + ": '" + text + "' (expected: a size such as 64KiB, 8MiB or 1GiB)");
    }
    long number = Long.parseLong(t.substring(0, end));
    long unit = switch (t.substring(end).strip().toLowerCase(Locale.ROOT)) {
      case "", "b" -> 1;
      case "kib" -> 1L << 10;
      case "mib" -> 1L << 20;
      case "gib" -> 1L << 30;
      case "kb" -> 1_000;
      case "mb" -> 1_000_000;
      case "gb" -> 1_000_000_000;
      default -> throw new IllegalArgumentException(key + ": '" + text + "' (expected: a size such as 64KiB, 8MiB or 1GiB)");
    };
    return Math.multiplyExact(number, unit);
  }

  /** Seconds from {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; -1 for {@code none}. */
  static long ttl(String key, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("none")) {
      return -1;
    }
    int end = 0;
    while (end < t.length() && Character.isDigit(t.charAt(end))) {
      end++;
    }
    long scale = switch (t.substring(end)) {
      case "s" -> 1;
      case "m" -> 60;
      case "h" -> 3600;
      case "d" -> 86400;
      default -> 0;
    };
    if (end == 0 || end > 9 || scale == 0) {
      throw new IllegalArgumentException(key + ": '" + text + "' (expected: none, or a duration such as 30s, 5m, 2h or 1d)");
    }
    return Long.parseLong(t.substring(0, end)) * scale;
  }
}
