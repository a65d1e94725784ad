package io.sluice.plugins.rbac;

/**
 * A permission {@code resource:action}. Granted permissions may use {@code *} for a whole part
 * ({@code *:*}, {@code orders:*}, {@code *:read}); required ones name both parts.
 */
record Permission(String resource, String action) {

  static final String WILDCARD = "*";
  static final String EXPECTED = "a permission resource:action, such as rooms:read, orders:* or *:*";

  /** Whether holding this permission satisfies {@code required}. */
  boolean grants(Permission required) {
    return (resource.equals(WILDCARD) || resource.equals(required.resource()))
        && (action.equals(WILDCARD) || action.equals(required.action()));
  }

  /** {@code text} as a permission that may contain wildcards, or {@code null} when it is not one. */
  static Permission parseOrNull(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      return null;
    }
    String resource = text.substring(0, colon);
    String action = text.substring(colon + 1);
    return isPart(resource) && isPart(action) ? new Permission(resource, action) : null;
  }

  /**
   * {@code text} as a granted permission.
   *
   * @throws IllegalArgumentException naming {@code text} and what a permission looks like
   */
  static Permission parseGranted(String text) {
    Permission permission = text == null ? null : parseOrNull(text);
    if (permission == null) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
    }
    return permission;
  }

  boolean hasWildcard() {
    return resource.equals(WILDCARD) || action.equals(WILDCARD);
  }

  /** A part is {@code *} or a name without {@code *}, spaces or control characters. */
  private static boolean isPart(String part) {
    if (part.equals(WILDCARD)) {
      return true;
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c <= ' ' || c == 0x7f || c == '*') {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return resource + ":" + action;
  }
}
