package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigException;
import io.sluice.testing.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rbac config as an operator writes it: defaults, and a message naming the key for each mistake. */
class RbacConfigTest {

  static final PluginConfigs CONFIGS = PluginConfigs.of("rbac", RbacConfig.class, Map.of());

  static RbacConfig valid(String entry) throws ConfigException {
    return CONFIGS.bind(entry);
  }

  static List<String> problems(String entry) {
    return CONFIGS.problems(entry);
  }

  @Test
  void defaultsReadRolesIncludeIdentityRolesAndDeny() throws Exception {
    RbacConfig config = valid("{ rules: [ { require_any: [\"role:admin\"] } ] }");

    assertThat(config.rolesFrom()).containsExactly("roles");
    assertThat(config.includeIdentityRoles()).isTrue();
    assertThat(config.default_()).isEqualTo(RbacConfig.Access.DENY);
    assertThat(config.rolePermissions()).isEmpty();
    assertThat(config.rules().get(0).methods()).isEmpty();
  }

  @Test
  void everyKeyIsRead() throws Exception {
    RbacConfig config = valid("""
        { roles_from: [realm_access.roles, scope], include_identity_roles: false, default: allow,
                  role_permissions: { admin: ["*:*"] },
                  rules: [ { methods: [get, Post], paths: ["/rooms/{id}/**"], require_all: ["rooms:read", "role:admin"] } ] }""");

    assertThat(config.rolesFrom()).containsExactly("realm_access.roles", "scope");
    assertThat(config.includeIdentityRoles()).isFalse();
    assertThat(config.default_()).isEqualTo(RbacConfig.Access.ALLOW);
    assertThat(config.rolePermissions()).containsEntry("admin", List.of("*:*"));
    assertThat(config.rules().get(0).methods()).as("upper-cased").containsExactly("GET", "POST");
    assertThat(config.rules().get(0).requireAll()).containsExactly("rooms:read", "role:admin");
  }

  @Test
  void aRuleMustRequireSomething() {
    assertThat(problems("{ rules: [ { methods: [GET] } ] }")).containsExactly(
        "sluice.yaml:5:22 plugins[0].rbac.rules[0]: require_any, require_all: both missing "
            + "(expected: the permissions or role:NAME this rule requires, in either or both)");
  }

  @Test
  void mistakesInARuleNameTheKey() {
    assertThat(problems("{ rules: [ { paths: [\"/rooms/\"], require_any: [\"rooms:read\"] } ] }")).containsExactly(
        "sluice.yaml:5:22 plugins[0].rbac.rules[0]: paths: '/rooms/' ends with '/' (expected: /rooms/** for everything below it)");
    assertThat(problems("{ rules: [ { require_any: [\"rooms:read\"] }, { require_all: [\"rooms\"] } ] }")).containsExactly(
        "sluice.yaml:5:55 plugins[0].rbac.rules[1]: require_all: 'rooms' "
            + "(expected: a permission resource:action such as rooms:read, or role:NAME)");
    assertThat(problems("{ rules: [ { methods: [\"GE T\"], require_any: [\"rooms:read\"] } ] }")).containsExactly(
        "sluice.yaml:5:22 plugins[0].rbac.rules[0]: methods: 'GE T' (expected: an HTTP method such as GET)");
  }

  @Test
  void mistakesOutsideRulesNameTheKey() {
    assertThat(problems("{ role_permissions: { moderator: [\"rooms:read\", \"rooms\"] } }")).containsExactly(
        "sluice.yaml:5:11 plugins[0].rbac: role_permissions.moderator: 'rooms' "
            + "(expected: a permission resource:action, such as rooms:read, orders:* or *:*)");
    assertThat(problems("{ roles_from: [\"realm_access..roles\"] }")).containsExactly(
        "sluice.yaml:5:11 plugins[0].rbac: roles_from: 'realm_access..roles' "
            + "(expected: a claim name or a dotted path into the claims, such as realm_access.roles)");
    assertThat(problems("{ default: maybe }")).singleElement().asString()
        .contains("plugins[0].rbac.default").contains("allow, deny");
  }
}
