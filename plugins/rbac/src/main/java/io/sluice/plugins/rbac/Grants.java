package io.sluice.plugins.rbac;

import io.sluice.spi.Identity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one caller holds: its roles (from claims and, optionally, the identity) and the
 * permissions those roles map to, plus permissions its claims carry directly.
 */
final class Grants {

  private final Set<String> roles;
  private final List<Permission> permissions;

  private Grants(Set<String> roles, List<Permission> permissions) {
    this.roles = roles;
    this.permissions = permissions;
  }

  boolean hasRole(String role) {
    return roles.contains(role);
  }

  boolean allows(Permission required) {
    for (Permission held : permissions) {
      if (held.grants(required)) {
        return true;
      }
    }
    return false;
  }

  Set<String> roles() {
    return roles;
  }

  List<Permission> permissions() {
    return permissions;
  }

  /** How grants are read from an identity: compiled once from the config. */
  static final class Source {

    private final List<String> claimPaths;
    private final boolean includeIdentityRoles;
    private final Map<String, List<Permission>> rolePermissions;

    Source(List<String> claimPaths, boolean includeIdentityRoles, Map<String, List<Permission>> rolePermissions) {
      this.claimPaths = List.copyOf(claimPaths);
      this.includeIdentityRoles = includeIdentityRoles;
      this.rolePermissions = Map.copyOf(rolePermissions);
    }

    Grants of(Identity identity) {
      Set<String> roles = new HashSet<>();
      List<Permission> permissions = new ArrayList<>();
      for (String path : claimPaths) {
        addValues(claim(identity.claims(), path), roles, permissions);
      }
      if (includeIdentityRoles) {
        roles.addAll(identity.roles());
      }
      for (String role : roles) {
        List<Permission> mapped = rolePermissions.get(role);
        if (mapped != null) {
          permissions.addAll(mapped);
        }
      }
      return new Grants(roles, permissions);
    }

    /**
     * The claim at {@code path}: a top-level claim of that exact name (namespaced claims such as
     * {@code https://example.com/roles} have dots), else the dotted path through nested objects.
     */
    static Object claim(Map<String, Object> claims, String path) {
      Object whole = claims.get(path);
      if (whole != null || path.indexOf('.') < 0) {
        return whole;
      }
      Object at = claims;
      int start = 0;
      while (start <= path.length()) {
        int dot = path.indexOf('.', start);
        int end = dot < 0 ? path.length() : dot;
        if (!(at instanceof Map<?, ?> object)) {
          return null;
        }
        at = object.get(path.substring(start, end));
        start = end + 1;
      }
      return at;
    }

    /** A list of strings, or a space-separated string (OAuth {@code scope}); anything else grants nothing. */
    private static void addValues(Object value, Set<String> roles, List<Permission> permissions) {
      if (value instanceof String text) {
        for (String item : text.split(" ")) {
          addValue(item, roles, permissions);
        }
      } else if (value instanceof List<?> list) {
        for (Object item : list) {
          if (item instanceof String text) {
            addValue(text, roles, permissions);
          }
        }
      }
    }

    /** Every value is a role; a value of the form resource:action is also a permission held directly. */
    private static void addValue(String value, Set<String> roles, List<Permission> permissions) {
      if (value.isEmpty()) {
        return;
      }
      roles.add(value);
      Permission direct = Permission.parseOrNull(value);
      if (direct != null) {
        permissions.add(direct);
      }
    }
  }
}
