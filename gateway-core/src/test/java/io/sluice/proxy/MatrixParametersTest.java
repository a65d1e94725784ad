package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Matrix parameters ({@code ;}) by default: Tomcat, Jetty and Spring read {@code /admin;x/secret}
 * and {@code /public/..;/admin/secret} as {@code /admin/secret}, so every spelling of them is
 * refused rather than routed by a path the upstream will not read.
 */
class MatrixParametersTest {

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
          - id: admin
            match: { path: /admin/** }
            respond: { status: 200, body: "admin" }
          - id: public
            match: { path: /** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private static RawHttp.Response get(String target) throws Exception {
    return gateway.raw().send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/admin;x/secret",
      "/admin;jsessionid=1/secret",
      "/admin;/secret",
      "/admin;a=1;b=2/secret",
      "/admin/secret;x",
      "/admin/secret;",
      "/public/..;/admin/secret",
      "/public/..;x=1/admin/secret",
      "/public/%2e%2e;/admin/secret",
      "/public/%2E%2E;/admin/secret",
      "/public/.%2e;/admin/secret",
      "/public/%2e%2e%3b/admin/secret",
      "/public/%2e%2e%3B/admin/secret",
      "/public/..%3b/admin/secret",
      "/admin%3bx/secret",
      "/admin%3Bx/secret",
      "/admin/.;x/secret",
      "/;x/admin/secret",
      "/public;/x",
  })
  void everySpellingOfAMatrixParameterIsRefusedWith400(String target) throws Exception {
    int before = upstream.requests().size();

    RawHttp.Response response = get(target);

    assertThat(response.status()).as(response.text()).isEqualTo(400);
    assertThat(response.text()).contains("{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"The path ");
    assertThat(response.text()).contains("\"request_id\":\"");
    assertThat(response.text()).doesNotContain("\r\n\r\nadmin");
    assertThat(upstream.requests()).as("forwarded upstream").hasSize(before);
  }

  @Test
  void theRefusalSaysWhatIsWrong() throws Exception {
    assertThat(get("/admin;jsessionid=1/secret").text()).contains("matrix parameters (';')");
    assertThat(get("/admin%3Bx/secret").text()).contains("encoded semicolon (%3B)");
    assertThat(get("/public/..;/admin/secret").text()).contains("on an empty, '.' or '..' segment");
  }

  @Test
  void doubleEncodedSemicolonsAndDotsAreDecodedOnceAndStayData() throws Exception {
    RawHttp.Response response = get("/public/%252e%252e%253b/admin/secret");

    assertThat(response.status()).as(response.text()).isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/public/%252e%252e%253b/admin/secret");

    assertThat(get("/admin%253Bx/secret").status()).isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/admin%253Bx/secret");
  }

  @Test
  void http2RequestsAreRefusedAlike() throws Exception {
    int before = upstream.requests().size();
    try (H2Client client = H2Client.h2c(gateway.port())) {
      for (String path : new String[] {"/admin;x/secret", "/public/..;/admin/secret", "/admin%3bx/secret"}) {
        H2Client.Response response = client.get(path);
        assertThat(response.status()).as(path).isEqualTo(400);
        assertThat(response.bodyText()).contains("\"code\":\"BAD_REQUEST\"");
      }
    }
    assertThat(upstream.requests()).hasSize(before);
  }

  @Test
  void pathsWithoutSemicolonsAreUntouched() throws Exception {
    assertThat(get("/public/a,b=c/x").status()).isEqualTo(200);
    assertThat(upstream.lastRequest().uri()).isEqualTo("/public/a,b=c/x");
    assertThat(get("/admin/secret").text()).endsWith("\r\n\r\nadmin");
  }
}
