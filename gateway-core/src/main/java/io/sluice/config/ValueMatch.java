package io.sluice.config;

import java.util.regex.Pattern;

/**
 * A condition on a header or query parameter.
 *
 * @param name the header name (lower case) or query parameter name (as written)
 * @param kind what kind of condition
 * @param value the expected value for {@code EXACT}; the pattern text for {@code REGEX}; otherwise empty
 * @param regex the compiled pattern for {@code REGEX} (matched against the whole value), otherwise {@code null}
 */
public record ValueMatch(String name, Kind kind, String value, Pattern regex) {

  /** Kinds of conditions. */
  public enum Kind {
    /** Present with exactly this value (any of the values, when repeated). */
    EXACT,
    /** Present with any value. */
    PRESENT,
    /** Not present. */
    ABSENT,
    /** Present with a value matching the regular expression as a whole. */
    REGEX
  }

  public static ValueMatch exact(String name, String value) {
    return new ValueMatch(name, Kind.EXACT, value, null);
  }

  public static ValueMatch present(String name) {
    return new ValueMatch(name, Kind.PRESENT, "", null);
  }

  public static ValueMatch absent(String name) {
    return new ValueMatch(name, Kind.ABSENT, "", null);
  }

  public static ValueMatch regex(String name, Pattern regex) {
    return new ValueMatch(name, Kind.REGEX, regex.pattern(), regex);
  }

  /** Whether one value (or {@code null} for "absent") satisfies the condition. */
  public boolean test(String actual) {
    return switch (kind) {
      case EXACT -> value.equals(actual);
      case PRESENT -> actual != null;
      case ABSENT -> actual == null;
      case REGEX -> actual != null && regex.matcher(actual).matches();
    };
  }
}
