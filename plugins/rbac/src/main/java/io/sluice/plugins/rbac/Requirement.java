package io.sluice.plugins.rbac;

/** One item of {@code require_any} or {@code require_all}: a role ({@code role:NAME}) or a permission. */
sealed interface Requirement {

  String ROLE_PREFIX = "role:";

  boolean isMetBy(Grants grants);

  record Role(String name) implements Requirement {
    @Override
    public boolean isMetBy(Grants grants) {
      return grants.hasRole(name);
    }

    @Override
    public String toString() {
      return ROLE_PREFIX + name;
    }
  }

  record Needs(Permission permission) implements Requirement {
    @Override
    public boolean isMetBy(Grants grants) {
      return grants.allows(permission);
    }

    @Override
    public String toString() {
      return permission.toString();
    }
  }

  /**
   * @throws IllegalArgumentException naming {@code text} and what a requirement looks like
   */
  static Requirement parse(String text) {
    if (text != null && text.startsWith(ROLE_PREFIX)) {
      String role = text.substring(ROLE_PREFIX.length());
      if (role.isBlank()) {
        throw new IllegalArgumentException("'" + text + "' has no role name (expected: role:NAME, such as role:admin)");
      }
      return new Role(role);
    }
    Permission permission = text == null ? null : Permission.parseOrNull(text);
    if (permission == null) {
      throw new IllegalArgumentException("'" + text + "' (expected: a permission resource:action such as rooms:read, or role:NAME)");
    }
    if (permission.hasWildcard()) {
      throw new IllegalArgumentException("'" + text + "' has a '*' (expected: a permission naming resource and action, "
          + "such as rooms:read; wildcards are for granting, in role_permissions)");
    }
    return new Needs(permission);
  }
}
