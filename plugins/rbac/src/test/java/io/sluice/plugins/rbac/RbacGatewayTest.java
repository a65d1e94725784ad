package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole chain in a real gateway: api_key gives each consumer its role, rbac decides, the
 * upstream sees only what was allowed.
 */
class RbacGatewayTest {

  /** Who may do what: one row per role, one column per resource and method. */
  static final String PERMISSION_TABLE = """
                     rooms              orders             users
                     GET  POST  DELETE  GET  POST  DELETE  GET  POST  DELETE
      admin          yes  yes   yes     yes  yes   yes     yes  yes   yes
      moderator      yes  yes   yes     no   no    no      yes  no    no
      user           yes  yes   no      yes  yes   no      no   no    no
      guest          yes  no    no      no   no    no      no   no    no
      """;

  static final Map<String, String> KEYS = Map.of(
      "admin", "admin-key-1", "moderator", "moderator-key-2", "user", "user-key-3", "guest", "guest-key-4");

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins:
              - rbac:
                  role_permissions:
                    admin: ["*:*"]
                    moderator: ["rooms:*", "users:read"]
                    user: ["rooms:read", "rooms:write", "orders:read", "orders:write"]
                    guest: ["rooms:read"]
                  rules:
                    - { methods: [GET], paths: ["/api/rooms/**"], require_any: ["rooms:read"] }
                    - { methods: [POST], paths: ["/api/rooms"], require_any: ["rooms:write"] }
                    - { methods: [DELETE], paths: ["/api/rooms/{id}"], require_any: ["rooms:delete"] }
                    - { methods: [GET], paths: ["/api/orders/**"], require_any: ["orders:read"] }
                    - { methods: [POST], paths: ["/api/orders"], require_any: ["orders:write"] }
                    - { methods: [DELETE], paths: ["/api/orders/{id}"], require_all: ["orders:delete", "role:admin"] }
                    - { methods: [GET], paths: ["/api/users/**"], require_any: ["users:read"] }
                    - { methods: [POST, DELETE], paths: ["/api/users", "/api/users/{id}"], require_any: ["role:admin"] }
              - api_key:
                  forward_consumer_header: x-consumer
                  consumers:
                    - { name: ada, keys: ["${ADMIN_KEY}"], roles: [admin] }
                    - { name: mo, keys: ["${MODERATOR_KEY}"], roles: [moderator] }
                    - { name: ulla, keys: ["${USER_KEY}"], roles: [user] }
                    - { name: gus, key_hashes: ["${GUEST_KEY_SHA256}"], roles: [guest] }
          - id: open
            match: { path: /open/** }
            upstream: backend
            plugins:
              - rbac: { default: allow }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "ADMIN_KEY", KEYS.get("admin"),
            "MODERATOR_KEY", KEYS.get("moderator"), "USER_KEY", KEYS.get("user"),
            "GUEST_KEY_SHA256", sha256Hex(KEYS.get("guest"))));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  static String sha256Hex(String text) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** Each cell of {@link #PERMISSION_TABLE}: role, resource, method, allowed. */
  static Stream<Arguments> cells() {
    List<String> lines = PERMISSION_TABLE.lines().filter(line -> !line.isBlank()).toList();
    String[] resources = lines.get(0).trim().split("\\s+");
    String[] methods = lines.get(1).trim().split("\\s+");
    int perResource = methods.length / resources.length;
    List<Arguments> cells = new ArrayList<>();
    for (String row : lines.subList(2, lines.size())) {
      String[] words = row.trim().split("\\s+");
      for (int column = 0; column < methods.length; column++) {
        cells.add(Arguments.of(words[0], resources[column / perResource], methods[column], words[column + 1].equals("yes")));
      }
    }
    return cells.stream();
  }

  @Test
  void theTableHasACellForEveryRoleResourceAndMethod() {
    assertThat(cells()).hasSize(4 * 3 * 3);
    assertThat(cells().filter(cell -> (boolean) cell.get()[3])).hasSize(9 + 4 + 4 + 1);
  }

  static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    return gateway.send(method, path, headers);
  }

  @ParameterizedTest(name = "{0} {2} {1}: {3}")
  @MethodSource("cells")
  void eachRoleGetsExactlyItsCellsOfThePermissionTable(String role, String resource, String method, boolean allowed)
      throws Exception {
    String path = method.equals("POST") ? "/api/" + resource : "/api/" + resource + "/42";
    int before = upstream.requests().size();

    HttpResponse<String> response = send(method, path, "x-api-key", KEYS.get(role));

    if (allowed) {
      assertThat(response.statusCode()).isEqualTo(200);
      HttpRequest seen = upstream.lastRequest();
      assertThat(seen.method().name() + " " + seen.uri()).isEqualTo(method + " " + path);
      assertThat(seen.headers().contains("x-api-key")).isFalse();
    } else {
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body()).contains("{\"error\":{\"code\":\"FORBIDDEN\"");
      assertThat(upstream.requests()).hasSize(before);
    }
  }

  @Test
  void aRefusalNamesWhatIsMissingAndTheLogNamesTheRule() throws Exception {
    HttpResponse<String> response = send("DELETE", "/api/orders/42", "x-api-key", KEYS.get("user"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"message\":\"Requires all of: orders:delete, role:admin\"");
    assertThat(gateway.accessLog()).contains("FORBIDDEN client \"rbac.rule_denied rule=5\"");
  }

  @Test
  void requestsNoRuleCoversAreDeniedByDefault() throws Exception {
    HttpResponse<String> response = send("PUT", "/api/rooms/42", "x-api-key", KEYS.get("admin"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"message\":\"No rule allows this request\"");
    assertThat(send("GET", "/api/other", "x-api-key", KEYS.get("admin")).statusCode()).isEqualTo(403);
  }

  @Test
  void aMissingOrWrongKeyStopsAtAuthenticationAndASpoofedConsumerIsReplaced() throws Exception {
    HttpResponse<String> missing = send("GET", "/api/rooms/42", "x-consumer", "ada");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("\"message\":\"An API key is required in the header x-api-key\"");
    assertThat(send("GET", "/api/rooms/42", "x-api-key", "admin-key-2").statusCode()).isEqualTo(401);

    assertThat(send("GET", "/api/rooms/42", "x-api-key", KEYS.get("guest"), "x-consumer", "ada").statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().getAll("x-consumer")).containsExactly("gus");
  }

  @Test
  void withoutAnAuthenticationPluginRbacAnswers401() throws Exception {
    int before = upstream.requests().size();
    HttpResponse<String> response = send("GET", "/open/x", "x-api-key", KEYS.get("admin"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains("{\"error\":{\"code\":\"UNAUTHENTICATED\",\"message\":\"Authentication required\"}");
    assertThat(upstream.requests()).hasSize(before);
  }
}
