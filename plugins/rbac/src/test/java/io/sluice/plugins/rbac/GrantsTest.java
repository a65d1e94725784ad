package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Identity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading roles and permissions from claims and from the identity. */
class GrantsTest {

  static final Map<String, List<Permission>> ROLE_PERMISSIONS = Map.of(
      "admin", List.of(Permission.parseGranted("*:*")),
      "moderator", List.of(Permission.parseGranted("rooms:read"), Permission.parseGranted("rooms:write")));

  static final Map<String, Object> CLAIMS = Map.of(
      "sub", "alice",
      "roles", List.of("moderator", 42),
      "realm_access", Map.of("roles", List.of("admin")),
      "scope", "openid orders:read  profile",
      "permissions", List.of("users:delete"),
      "https://example.com/roles", List.of("auditor"));

  static Grants grants(List<String> claimPaths, boolean identityRoles, Identity identity) {
    return new Grants.Source(claimPaths, identityRoles, ROLE_PERMISSIONS).of(identity);
  }

  static final Identity JWT_ALICE = new Identity("alice", null, CLAIMS, Set.of(), "jwt");

  @Test
  void rolesFromAListClaimGrantTheirMappedPermissions() {
    Grants grants = grants(List.of("roles"), true, JWT_ALICE);

    assertThat(grants.roles()).containsExactlyInAnyOrder("moderator");
    assertThat(grants.allows(Permission.parseGranted("rooms:write"))).isTrue();
    assertThat(grants.allows(Permission.parseGranted("orders:read"))).isFalse();
  }

  @Test
  void aDottedPathReachesIntoNestedClaims() {
    Grants grants = grants(List.of("realm_access.roles"), true, JWT_ALICE);

    assertThat(grants.roles()).containsExactly("admin");
    assertThat(grants.allows(Permission.parseGranted("anything:delete"))).isTrue();
  }

  @Test
  void aScopeStringIsSplitAndItsPermissionsAreHeldDirectly() {
    Grants grants = grants(List.of("scope"), true, JWT_ALICE);

    assertThat(grants.roles()).containsExactlyInAnyOrder("openid", "orders:read", "profile");
    assertThat(grants.allows(Permission.parseGranted("orders:read"))).isTrue();
    assertThat(grants.allows(Permission.parseGranted("orders:write"))).isFalse();
  }

  @Test
  void aPermissionsClaimAndNamespacedClaimsWork() {
    Grants grants = grants(List.of("permissions", "https://example.com/roles"), true, JWT_ALICE);

    assertThat(grants.allows(Permission.parseGranted("users:delete"))).isTrue();
    assertThat(grants.hasRole("auditor")).isTrue();
  }

  @Test
  void missingOrOddClaimsGrantNothing() {
    Grants grants = grants(List.of("groups", "sub.x", "realm_access.roles.more", "realm_access"), true, JWT_ALICE);

    assertThat(grants.roles()).isEmpty();
    assertThat(grants.permissions()).isEmpty();
  }

  @Test
  void theIdentitysOwnRolesCountUnlessSwitchedOff() {
    Identity consumer = new Identity("billing", "billing", Map.of(), Set.of("moderator"), "api_key");

    assertThat(grants(List.of("roles"), true, consumer).allows(Permission.parseGranted("rooms:read"))).isTrue();
    assertThat(grants(List.of("roles"), false, consumer).allows(Permission.parseGranted("rooms:read"))).isFalse();
    assertThat(grants(List.of("roles"), false, consumer).hasRole("moderator")).isFalse();
  }
}
