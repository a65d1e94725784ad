package io.sluice.spi;

import java.util.List;
import java.util.Set;

/**
 * Header fields of a request or response. Names are case-insensitive. What is set here is
 * checked: a name that is not a token ({@link #isValidName}), or a value that cannot be sent
 * ({@link #isValidValue}: CR, LF, NUL, another control character, a character beyond U+00FF, or
 * a space or tab first), is refused with {@link IllegalArgumentException}.
 */
public interface Headers {

  /**
   * Whether {@code name} can be a header field name: a non-empty token (RFC 9110: ASCII letters,
   * digits and {@code !#$%&'*+-.^_`|~}). Check names that come from config with it.
   */
  static boolean isValidName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!HeaderChars.isToken(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code value} can be a header field value: visible ASCII, space, tab and the octets
   * U+0080..U+00FF (RFC 9110 field-content); no CR, LF, NUL, other control characters or
   * characters beyond U+00FF (percent-encode such text, as RFC 8187 does), and no space or tab
   * first (RFC 9110 section 5.5: a field value has no leading whitespace, and peers refuse it).
   * Empty is valid.
   */
  static boolean isValidValue(String value) {
    if (value == null || !value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(0) == '\t')) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (!HeaderChars.isFieldContent(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The first value of {@code name}, or {@code null}. */
  String get(String name);

  /** All values of {@code name}, in order; empty when absent. */
  List<String> getAll(String name);

  boolean contains(String name);

  /** Replaces every value of {@code name} with {@code value}. */
  Headers set(String name, String value);

  /** Appends a value, keeping existing ones. */
  Headers add(String name, String value);

  /** Removes every value of {@code name}. */
  Headers remove(String name);

  /** The distinct names present, lower case. */
  Set<String> names();
}
