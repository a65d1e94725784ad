package io.sluice.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Suggests the closest known name for a misspelt one, so that a typo costs one glance. */
final class DidYouMean {

  private DidYouMean() {}

  /**
   * {@code did you mean 'x'?} when one known name is close, otherwise the list of known names
   * ({@code expected one of: a, b, c}).
   */
  static String hint(String given, Collection<String> known) {
    Optional<String> closest = closest(given, known);
    if (closest.isPresent()) {
      return "did you mean '" + closest.get() + "'?";
    }
    if (known.isEmpty()) {
      return "none are defined";
    }
    return (known.size() == 1 ? "expected: " : "expected one of: ") + String.join(", ", known);
  }

  /**
   * The known name with the smallest edit distance, if it is close enough to be a typo: at most
   * one edit for short names, up to three for long ones. Case and {@code -} versus {@code _} are
   * not counted, since {@code max-body-bytes} for {@code max_body_bytes} is the commonest slip.
   */
  static Optional<String> closest(String given, Collection<String> known) {
    String normalized = normalize(given);
    int allowed = Math.max(1, Math.min(3, given.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(normalized, normalize(candidate));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replace('-', '_');
  }
}
