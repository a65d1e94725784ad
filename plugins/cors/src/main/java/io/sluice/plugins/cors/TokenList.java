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
    int start = find(list, allowed, false);
    return start < 0 ? null : list.substring(start, elementEnd(list, start));
  }

  /** Whether {@code list} has an element equal to one of {@code tokens}, ignoring case. */
  static boolean containsAny(String list, String[] tokens) {
    return find(list, tokens, true) >= 0;
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

  /**
   * Where the first non-empty element starts that is one of {@code candidates} (when
   * {@code member}) or is not (otherwise); -1 when there is none.
   */
  private static int find(String list, String[] candidates, boolean member) {
    int i = 0;
    while (i < list.length()) {
      int start = skipWhitespace(list, i);
      int end = elementEnd(list, start);
      if (end > start && isOneOf(list, start, end, candidates) == member) {
        return start;
      }
      int comma = list.indexOf(',', start);
      i = comma < 0 ? list.length() : comma + 1;
    }
    return -1;
  }

  /** The end of the element starting at {@code start}, trailing whitespace excluded. */
  private static int elementEnd(String list, int start) {
    int comma = list.indexOf(',', start);
    return trimEnd(list, start, comma < 0 ? list.length() : comma);
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
