package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Identity;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The plugin's decisions on single exchanges, with JWT-like identities that the gateway tests cannot make. */
class RbacPluginTest {

  static final Map<String, List<String>> ROLE_PERMISSIONS = Map.of(
      "admin", List.of("*:*"),
      "moderator", List.of("rooms:read", "rooms:write"));

  static final List<RbacConfig.Rule> RULES = List.of(
      rule(List.of("DELETE"), List.of("/rooms/{id}"), List.of(), List.of("rooms:delete", "role:admin")),
      rule(List.of(), List.of("/rooms/**"), List.of("rooms:write", "role:owner"), List.of()),
      rule(List.of("GET"), List.of("/orders/**", "/invoices/**"), List.of("orders:read"), List.of()),
      rule(List.of("POST"), List.of("/orders/**"), List.of("orders:write"), List.of("role:clerk")));

  final CapturingLogger log = new CapturingLogger();

  static RbacConfig.Rule rule(List<String> methods, List<String> paths, List<String> any, List<String> all) {
    return new RbacConfig.Rule(methods, paths, any, all);
  }

  RbacPlugin plugin(RbacConfig.Access fallback) {
    return new RbacPlugin(new RbacConfig(List.of("roles", "scope"), null, ROLE_PERMISSIONS, RULES, fallback), "rooms-route", log);
  }

  static Identity jwt(Object roles, String scope) {
    return new Identity("alice", null, Map.of("roles", roles, "scope", scope), Set.of(), "jwt");
  }

  static GatewayError error(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Reply.class);
    return ((Decision.Reply) decision).error();
  }

  @Test
  void theFirstMatchingRuleDecidesEvenWhenALaterOneWouldAllow() {
    Identity moderator = jwt(List.of("moderator"), "");

    GatewayError denied = error(plugin(null).onRequest(Requests.of("DELETE", "/rooms/7", moderator)));

    assertThat(denied.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(denied.httpStatus()).isEqualTo(403);
    assertThat(denied.grpcStatus()).as("PERMISSION_DENIED").isEqualTo(7);
    assertThat(denied.message()).isEqualTo("Requires all of: rooms:delete, role:admin");
    assertThat(denied.details()).isEqualTo("rbac.rule_denied rule=0");
    // the same caller passes rule 1 on another method
    assertThat(plugin(null).onRequest(Requests.of("PUT", "/rooms/7", moderator))).isSameAs(Decision.proceed());
  }

  @Test
  void requireAllNeedsEveryItemAndRequireAnyOne() {
    RbacPlugin plugin = plugin(null);

    assertThat(plugin.onRequest(Requests.of("DELETE", "/rooms/7", jwt(List.of("admin"), "")))).isSameAs(Decision.proceed());
    assertThat(plugin.onRequest(Requests.of("PUT", "/rooms/7", jwt(List.of("owner"), "")))).as("role:owner")
        .isSameAs(Decision.proceed());
    assertThat(error(plugin.onRequest(Requests.of("PUT", "/rooms/7", jwt(List.of("guest"), "")))).message())
        .isEqualTo("Requires one of: rooms:write, role:owner");
    assertThat(error(plugin.onRequest(Requests.of("POST", "/orders", jwt(List.of("orders:write"), "")))).message())
        .as("orders:write without role:clerk").isEqualTo("Requires all of: role:clerk; and one of: orders:write");
    assertThat(plugin.onRequest(Requests.of("POST", "/orders", jwt(List.of("clerk"), "orders:write"))))
        .isSameAs(Decision.proceed());
  }

  @Test
  void permissionsInTheScopeClaimCountDirectly() {
    RbacPlugin plugin = plugin(null);

    assertThat(plugin.onRequest(Requests.of("GET", "/invoices/1", jwt(List.of(), "openid orders:read"))))
        .isSameAs(Decision.proceed());
    assertThat(error(plugin.onRequest(Requests.of("GET", "/invoices/1", jwt(List.of(), "openid orders:write")))).message())
        .isEqualTo("Missing permission orders:read");
  }

  @Test
  void noMatchingRuleFollowsTheDefault() {
    Identity anyone = jwt(List.of(), "");

    GatewayError denied = error(plugin(null).onRequest(Requests.of("GET", "/elsewhere", anyone)));
    assertThat(denied.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(denied.details()).isEqualTo("rbac.no_rule");
    assertThat(plugin(RbacConfig.Access.ALLOW).onRequest(Requests.of("GET", "/elsewhere", anyone))).isSameAs(Decision.proceed());
    assertThat(plugin(RbacConfig.Access.ALLOW).onRequest(Requests.of("GET", "/orders/1", anyone)))
        .as("a matching rule still decides").isNotSameAs(Decision.proceed());
  }

  @Test
  void withoutAnIdentityTheCallerIsUnauthenticated() {
    GatewayError error = error(plugin(RbacConfig.Access.ALLOW).onRequest(Requests.of("GET", "/elsewhere", null)));

    assertThat(error.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(error.httpStatus()).isEqualTo(401);
    assertThat(error.details()).isEqualTo("rbac.no_identity");
  }

  @Test
  void decisionsAreLoggedAtDebugWithTheRuleIndex() {
    RbacPlugin plugin = plugin(null);
    plugin.onRequest(Requests.of("GET", "/orders/9", jwt(List.of("moderator"), "")));
    plugin.onRequest(Requests.of("PUT", "/rooms/9", jwt(List.of("moderator"), "")));
    plugin.onRequest(Requests.of("GET", "/nowhere", jwt(List.of("moderator"), "")));

    assertThat(log.messages).containsExactly(
        "DEBUG rbac route=rooms-route request=req-1 GET /orders/9 subject=alice: deny by rule 2",
        "DEBUG rbac route=rooms-route request=req-1 PUT /rooms/9 subject=alice: allow by rule 1",
        "DEBUG rbac route=rooms-route request=req-1 GET /nowhere subject=alice: deny by default (no rule matched)");
  }

  @Test
  void nothingIsLoggedAboveDebug() {
    log.level = System.Logger.Level.INFO;
    plugin(null).onRequest(Requests.of("GET", "/orders/9", jwt(List.of("moderator"), "")));

    assertThat(log.messages).isEmpty();
  }

  static final class CapturingLogger implements System.Logger {
    final List<String> messages = new CopyOnWriteArrayList<>();
    Level level = Level.DEBUG;

    @Override
    public String getName() {
      return "rbac";
    }

    @Override
    public boolean isLoggable(Level candidate) {
      return candidate.getSeverity() >= level.getSeverity();
    }

    @Override
    public void log(Level at, ResourceBundle bundle, String message, Throwable thrown) {
      if (isLoggable(at)) {
        messages.add(at + " " + message);
      }
    }

    @Override
    public void log(Level at, ResourceBundle bundle, String format, Object... params) {
      if (isLoggable(at)) {
        messages.add(at + " " + format);
      }
    }
  }
}
