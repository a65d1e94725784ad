package io.sluice.plugins.cors;

/**
 * Reading comma-separated header values ({@code Access-Control-Request-Headers}, {@code Vary})
 * in place, without splitting them into new strings.
 */
final class TokenList {

  private TokenList() {}

  /** Whether {@code text} is an RFC 9110 token: a valid method or header name. */
  static boolean isToken(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The first element of {@code list} that is not one of {@code allowed} (compared ignoring
   * case), or {@code null} when every element is. Empty elements are skipped, as RFC 9110 asks.
   */
  static String firstNotIn(String list, String[] allowed) {
    int i = 0;
    int length = list.length();
    while (i < length) {
      int start = skipWhitespace(list, i);
      int comma = list.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int trimmed = trimEnd(list, start, end);
      if (trimmed > start && !isOneOf(list, start, trimmed, allowed)) {
        return list.substring(start, trimmed);
      }
      i = end + 1;
    }
    return null;
  }

  /** Whether {@code list} has an element equal to {@code token}, ignoring case. */
  static boolean contains(String list, String token) {
    int i = 0;
    int length = list.length();
    while (i < length) {
      int start = skipWhitespace(list, i);
      int comma = list.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int trimmed = trimEnd(list, start, end);
      if (trimmed - start == token.length() && list.regionMatches(true, start, token, 0, token.length())) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  /** Whether {@code list} has no element at all (only commas and whitespace). */
  static boolean isEmpty(String list) {
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c != ',' && c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }

  private static boolean isOneOf(String list, int start, int end, String[] allowed) {
    int length = end - start;
    for (String candidate : allowed) {
      if (candidate.length() == length && list.regionMatches(true, start, candidate, 0, length)) {
        return true;
      }
    }
    return false;
  }

  private static int skipWhitespace(String text, int from) {
    int i = from;
    while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static int trimEnd(String text, int start, int end) {
    int i = end;
    while (i > start && (text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t')) {
      i--;
    }
    return i;
  }
}
