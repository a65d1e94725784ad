package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Gateway;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code matrix_parameters: forward | strip}: the route is still chosen by the path without
 * them, plugins see that path, and only then does the route's choice apply to what goes upstream.
 */
class MatrixParametersOptInTest {

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
          - id: legacy
            match: { path: /legacy/** }
            upstream: backend
            rewrite: { strip_prefix: /legacy }
            matrix_parameters: forward
            plugins: [ { test_path: {} } ]
          - id: legacy-admin
            match: { path: /legacy/admin/** }
            respond: { status: 200, body: "admin" }
          - id: item
            match: { path: "/legacy/items/{id}" }
            upstream: backend
            matrix_parameters: forward
            plugins: [ { test_path: {} } ]
          - id: shop
            match: { path: /shop/** }
            upstream: backend
            matrix_parameters: strip
            plugins: [ { test_path: {} } ]
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

  @Test
  void forwardSendsTheParametersUpstreamWhilePluginsSeeThePathWithoutThem() throws Exception {
    RawHttp.Response response = get("/legacy/app;jsessionid=ABC/page;v=2?q=1");

    assertThat(response.status()).as(response.text()).isEqualTo(200);
    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.uri()).isEqualTo("/app;jsessionid=ABC/page;v=2?q=1");
    assertThat(seen.headers().get("x-plugin-path")).isEqualTo("/legacy/app/page");
  }

  @Test
  void pathParametersOfTheRouteAreReadWithoutMatrixParameters() throws Exception {
    assertThat(get("/legacy/items/42;rev=3").status()).isEqualTo(200);

    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.uri()).isEqualTo("/legacy/items/42;rev=3");
    assertThat(seen.headers().get("x-plugin-id")).isEqualTo("42");
  }

  @Test
  void aRouteThatRefusesThemIsNotBypassedThroughOneThatForwardsThem() throws Exception {
    int before = upstream.requests().size();

    RawHttp.Response response = get("/legacy/admin;x/secret");

    assertThat(response.status()).as(response.text()).isEqualTo(400);
    assertThat(response.text()).contains("\"code\":\"BAD_REQUEST\"").contains("matrix parameters (';')");
    assertThat(get("/legacy;x/admin/secret").status()).isEqualTo(400);
    assertThat(get("/legacy/%2e%2e;/legacy/admin/secret").status()).isEqualTo(400);
    assertThat(upstream.requests()).hasSize(before);
    assertThat(gateway.accessLog()).contains("legacy-admin").contains("matrix_parameters.refused");
  }

  @Test
  void stripSendsThePathWithoutThem() throws Exception {
    assertThat(get("/shop/cart;jsessionid=ABC/items;page=2").status()).isEqualTo(200);

    HttpRequest seen = upstream.lastRequest();
    assertThat(seen.uri()).isEqualTo("/shop/cart/items");
    assertThat(seen.headers().get("x-plugin-path")).isEqualTo("/shop/cart/items");
  }

  @Test
  void encodedSemicolonsAreRefusedEvenWhereParametersAreAccepted() throws Exception {
    assertThat(get("/legacy/app%3Bjsessionid=ABC").status()).isEqualTo(400);
    assertThat(get("/shop/cart%3bx").status()).isEqualTo(400);
  }
}
