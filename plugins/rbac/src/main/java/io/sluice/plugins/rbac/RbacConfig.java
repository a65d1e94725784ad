package io.sluice.plugins.rbac;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The config of the {@code rbac} plugin: where a caller's roles come from, which permissions
 * each role grants, and which permissions each kind of request requires.
 *
 * {@snippet lang=yaml :
 * - rbac:
 *     roles_from: [roles, realm_access.roles, scope]
 *     role_permissions:
 *       admin: ["*:*"]
 *       moderator: ["rooms:read", "rooms:write"]
 *     rules:
 *       - { methods: [GET], paths: ["/rooms/**"], require_any: ["rooms:read"] }
 *       - { methods: [POST, PUT], paths: ["/rooms/{id}/**"], require_all: ["rooms:write", "role:moderator"] }
 *     default: deny
 * }
 *
 * @param rolesFrom the claims that hold the caller's roles (or permissions), as names or dotted paths
 *     ({@code realm_access.roles}); a claim may be a list of strings or a space-separated string ({@code scope});
 *     {@code [roles]} unless set
 * @param includeIdentityRoles whether the roles on the identity itself (an API-key consumer's roles) count too;
 *     {@code true} unless set
 * @param rolePermissions the permissions each role grants, {@code resource:action} with {@code *} wildcards
 * @param rules checked in order; the first whose methods and paths match the request decides
 * @param default_ ({@code default} in YAML) what happens when no rule matches; {@code deny} unless set
 */
public record RbacConfig(
    List<String> rolesFrom,
    Boolean includeIdentityRoles,
    Map<String, List<String>> rolePermissions,
    List<Rule> rules,
    Access default_) {

  /** What the plugin does with a request no rule matches. */
  public enum Access {
    ALLOW,
    DENY
  }

  /**
   * Which requests a rule applies to, and what they require. Both {@code require_any} and
   * {@code require_all} must hold when both are given.
   *
   * @param methods the methods it applies to (any method when empty)
   * @param paths path patterns in the route syntax ({@code /rooms/{id}/**}) it applies to (any path when empty)
   * @param requireAny permissions or {@code role:NAME}, at least one of which the caller must hold
   * @param requireAll permissions or {@code role:NAME}, all of which the caller must hold
   */
  public record Rule(List<String> methods, List<String> paths, List<String> requireAny, List<String> requireAll) {

    public Rule {
      if (requireAny.isEmpty() && requireAll.isEmpty()) {
        throw new IllegalArgumentException(
            "require_any, require_all: both missing (expected: the permissions or role:NAME this rule requires, in either or both)");
      }
      methods = methods.stream().map(Rule::method).toList();
      for (String path : paths) {
        prefixed("paths", () -> PathMatcher.parse(path));
      }
      for (String item : requireAny) {
        prefixed("require_any", () -> Requirement.parse(item));
      }
      for (String item : requireAll) {
        prefixed("require_all", () -> Requirement.parse(item));
      }
    }

    private static String method(String method) {
      if (method == null || !method.matches("[A-Za-z]+")) {
        throw new IllegalArgumentException("methods: '" + method + "' (expected: an HTTP method such as GET)");
      }
      return method.toUpperCase(Locale.ROOT);
    }
  }

  public RbacConfig {
    rolesFrom = rolesFrom.isEmpty() ? List.of("roles") : rolesFrom;
    for (String path : rolesFrom) {
      if (path == null || path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
        throw new IllegalArgumentException(
            "roles_from: '" + path + "' (expected: a claim name or a dotted path into the claims, such as realm_access.roles)");
      }
    }
    includeIdentityRoles = includeIdentityRoles == null || includeIdentityRoles;
    rolePermissions.forEach((role, permissions) -> {
      if (role.isBlank()) {
        throw new IllegalArgumentException("role_permissions: an empty role name (expected: role names such as admin)");
      }
      for (String permission : permissions) {
        prefixed("role_permissions." + role, () -> Permission.parseGranted(permission));
      }
    });
    default_ = default_ == null ? Access.DENY : default_;
  }

  /** Runs {@code check}, putting {@code key: } before the sentence of what it throws. */
  private static void prefixed(String key, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
