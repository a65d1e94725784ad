package io.sluice.plugins.cors;

/**
 * A compiled {@code scheme://*.domain[:port]} entry. The {@code *} stands for one or more DNS
 * labels: {@code https://*.example.com} allows {@code https://a.example.com} and
 * {@code https://a.b.example.com}, but not {@code https://example.com}, {@code http://a.example.com}
 * or {@code https://a.example.com:8443}.
 */
final class OriginPattern {

  /** {@code scheme://} */
  private final String prefix;
  /** {@code .domain[:port]} */
  private final String suffix;

  private OriginPattern(String prefix, String suffix) {
    this.prefix = prefix;
    this.suffix = suffix;
  }

  /** A pattern from a normalized entry containing {@code ://*.}. */
  static OriginPattern of(String normalized) {
    int star = normalized.indexOf("://*.");
    return new OriginPattern(normalized.substring(0, star + 3), normalized.substring(star + 4));
  }

  boolean matches(String origin) {
    int labelsEnd = origin.length() - suffix.length();
    if (labelsEnd <= prefix.length() || !origin.startsWith(prefix) || !origin.endsWith(suffix)) {
      return false;
    }
    // What the '*' covers: one or more non-empty labels of a lower-case DNS name.
    boolean labelEmpty = true;
    for (int i = prefix.length(); i < labelsEnd; i++) {
      char c = origin.charAt(i);
      if (c == '.') {
        if (labelEmpty) {
          return false;
        }
        labelEmpty = true;
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
        labelEmpty = false;
      } else {
        return false;
      }
    }
    return !labelEmpty;
  }

  @Override
  public String toString() {
    return prefix + "*" + suffix;
  }
}
