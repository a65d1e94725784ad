package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rule for {@code /reports/admin/**} cannot be stepped around with {@code /reports/admin;x/secret},
 * which a Java upstream reads as {@code /reports/admin/secret}: by default the gateway refuses
 * the request, and where a route forwards matrix parameters rbac decides on the path without them.
 */
class RbacMatrixParametersTest {

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
        plugins:
          - api_key:
              consumers:
                - { name: ada, keys: [admin-key], roles: [admin] }
                - { name: ulla, keys: [user-key], roles: [user] }
        routes:
          - id: reports
            match: { path: /reports/** }
            upstream: backend
            plugins:
              - rbac:
                  default: allow
                  rules: [ { paths: ["/reports/admin/**"], require_any: ["role:admin"] } ]
          - id: legacy-reports
            match: { path: /legacy/** }
            upstream: backend
            matrix_parameters: forward
            plugins:
              - rbac:
                  default: allow
                  rules: [ { paths: ["/legacy/admin/**", "/legacy/export/{id}"], require_any: ["role:admin"] } ]
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private static RawHttp.Response get(String target, String key) throws Exception {
    return gateway.raw().send("GET " + target + " HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + key + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void byDefaultAPathWithMatrixParametersNeverReachesRbacOrTheUpstream() throws Exception {
    assertThat(get("/reports/admin/secret", "user-key").status()).isEqualTo(403);
    int before = upstream.requests().size();

    for (String target : new String[] {"/reports/admin;x/secret", "/reports/admin/secret;x", "/reports/x/..;/admin/secret",
        "/reports/admin%3Bx/secret"}) {
      RawHttp.Response response = get(target, "user-key");
      assertThat(response.status()).as(target).isEqualTo(400);
      assertThat(response.text()).contains("\"code\":\"BAD_REQUEST\"");
    }
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void whereParametersAreForwardedRbacDecidesOnThePathWithoutThem() throws Exception {
    int before = upstream.requests().size();

    assertThat(get("/legacy/admin;jsessionid=1/secret", "user-key").status()).isEqualTo(403);
    assertThat(get("/legacy/admin/secret;x", "user-key").status()).isEqualTo(403);
    assertThat(get("/legacy/export/7;format=csv", "user-key").status()).isEqualTo(403);
    assertThat(upstream.requests()).hasSize(before);

    assertThat(get("/legacy/admin;jsessionid=1/secret", "admin-key").status()).isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/legacy/admin;jsessionid=1/secret");
    assertThat(get("/legacy/open;jsessionid=1/page", "user-key").status()).isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/legacy/open;jsessionid=1/page");
  }
}
