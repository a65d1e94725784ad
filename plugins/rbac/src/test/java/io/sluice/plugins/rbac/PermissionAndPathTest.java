package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The two small languages of the rbac config: permissions and path patterns. */
class PermissionAndPathTest {

  @ParameterizedTest(name = "{0} grants {1}: {2}")
  @CsvSource({
      "*:*,         orders:read,  true",
      "orders:*,    orders:read,  true",
      "orders:*,    order:read,   false",
      "*:read,      users:read,   true",
      "*:read,      users:write,  false",
      "orders:read, orders:read,  true",
      "orders:read, orders:write, false",
      "orders:read, Orders:read,  false",
  })
  void wildcardsStandForAWholePart(String held, String required, boolean grants) {
    assertThat(Permission.parseGranted(held).grants(Permission.parseGranted(required))).isEqualTo(grants);
  }

  @ParameterizedTest
  @CsvSource({"orders", ":read", "orders:", "a:b:c", "ord*:read", "'or ders:read'"})
  void malformedPermissionsAreRefused(String text) {
    assertThat(Permission.parseOrNull(text)).isNull();
    assertThatThrownBy(() -> Permission.parseGranted(text)).hasMessage(
        "'" + text + "' (expected: a permission resource:action, such as rooms:read, orders:* or *:*)");
  }

  @ParameterizedTest
  @CsvSource({
      "'role:admin',  true",
      "'orders:read', false",
  })
  void requirementsAreRolesOrPermissions(String text, boolean role) {
    assertThat(Requirement.parse(text)).isInstanceOf(role ? Requirement.Role.class : Requirement.Needs.class);
    assertThat(Requirement.parse(text)).hasToString(text);
  }

  @ParameterizedTest
  @CsvSource({
      "'orders:*', '''orders:*'' has a ''*'' (expected: a permission naming resource and action, such as rooms:read; wildcards are for granting, in role_permissions)'",
      "'role:',    '''role:'' has no role name (expected: role:NAME, such as role:admin)'",
      "'orders',   '''orders'' (expected: a permission resource:action such as rooms:read, or role:NAME)'",
  })
  void requirementsNameWhatIsWrong(String text, String message) {
    assertThatThrownBy(() -> Requirement.parse(text)).hasMessage(message);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
      "/rooms,            /rooms,          true",
      "/rooms,            /rooms/,         false",
      "/rooms,            /room,           false",
      "/rooms,            /roomsx,         false",
      "/rooms/{id},       /rooms/7,        true",
      "/rooms/{id},       /rooms/,         false",
      "/rooms/{id},       /rooms/7/x,      false",
      "/rooms/*/members,  /rooms/7/members, true",
      "/rooms/*/members,  /rooms//members, false",
      "/rooms/**,         /rooms,          true",
      "/rooms/**,         /rooms/,         true",
      "/rooms/**,         /rooms/7/x,      true",
      "/rooms/**,         /roomsx,         false",
      "/rooms/{id}/**,    /rooms,          false",
      "/rooms/{id}/**,    /rooms/7,        true",
      "/rooms/{id}/**,    /rooms/7/a/b,    true",
      "/**,               /anything/at/all, true",
      "/,                 /,               true",
      "/,                 /x,              false",
      "/admin/**,         /admin;x/secret, true",
      "/admin/**,         /admin;jsessionid=1, true",
      "/rooms,            /rooms;v=1,      true",
      "/rooms,            /rooms;,         true",
      "/rooms/{id},       /rooms/7;rev=2,  true",
      "/rooms/{id},       /rooms/;x,       false",
      "/rooms/*/members,  /rooms/7;a/members;b, true",
      "/rooms/*/members,  /rooms;a/7/x;members, false",
  })
  void pathsMatchLikeRoutePatterns(String pattern, String path, boolean matches) {
    assertThat(PathMatcher.parse(pattern).matches(path)).isEqualTo(matches);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "rooms       | 'rooms' does not start with '/' (expected: a path pattern such as /rooms/{id}/**)",
      "/rooms/     | '/rooms/' ends with '/' (expected: /rooms/** for everything below it)",
      "/a//b       | '/a//b' has an empty segment ('//')",
      "/a/**/b     | '/a/**/b' has '**' before the end (expected: '**' only as the last segment, as in /rooms/**)",
      "/a*         | '/a*' has 'a*' (expected: '*' or {name} as a whole segment, '/**' at the end)",
      "/a/{x}/{x}  | '/a/{x}/{x}' has the parameter 'x' (expected: a unique name of letters, digits and '_')",
      "/a?b=1      | '/a?b=1' contains '?' (expected: a plain path, without query, fragment or escapes)",
      "/a/../b     | '/a/../b' has a '..' segment (expected: a normalized path)",
      "/a;x/b      | '/a;x/b' contains ';' (expected: a path without matrix parameters; requests are matched with them set aside)",
  })
  void malformedPathsAreRefused(String pattern, String message) {
    assertThatThrownBy(() -> PathMatcher.parse(pattern)).hasMessage(message);
  }
}
