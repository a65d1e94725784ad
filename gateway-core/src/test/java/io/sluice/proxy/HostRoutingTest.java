package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One spelling of a host for routing: case, port and a trailing dot do not matter, so
 * {@code admin.example.com.} cannot slip past the {@code admin.example.com} route; anything that
 * is not a host name or IP literal is refused.
 */
class HostRoutingTest {

  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        routes:
          - id: admin
            match: { host: admin.example.com, path: /** }
            respond: { status: 200, body: "admin" }
          - id: tenant
            match: { host: "*.tenant.test", path: /** }
            respond: { status: 200, body: "tenant" }
          - id: idn
            match: { host: XN--BCHER-KVA.example, path: /** }
            respond: { status: 200, body: "idn" }
          - id: loopback
            match: { host: "[::1]", path: /** }
            respond: { status: 200, body: "loopback" }
          - id: public
            match: { path: /** }
            respond: { status: 200, body: "public" }
        """, Map.of());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static RawHttp.Response get(String target, String host) throws Exception {
    return gateway.raw().send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  @ParameterizedTest(name = "Host: {0} -> {1}")
  @CsvSource({
      "admin.example.com,          admin",
      "admin.example.com.,         admin",
      "ADMIN.Example.COM.,         admin",
      "admin.example.com.:8443,    admin",
      "admin.example.com:8443,     admin",
      "a.tenant.test.,             tenant",
      "a.b.TENANT.test.:80,        tenant",
      "xn--bcher-kva.example,      idn",
      "xn--bcher-kva.example.,     idn",
      "'[::1]:8080',               loopback",
      "'[0:0:0:0:0:0:0:1]',        loopback",
      "'[::0001]:80',              loopback",
      "example.com,                public",
      "127.0.0.1.,                 public",
  })
  void routesOnTheHostWithoutCasePortOrTrailingDot(String host, String route) throws Exception {
    RawHttp.Response response = get("/x", host);

    assertThat(response.status()).as(response.text()).isEqualTo(200);
    assertThat(response.text()).endsWith("\r\n\r\n" + route);
  }

  @Test
  void theAuthorityOfAnAbsoluteTargetIsNormalizedTheSameWay() throws Exception {
    RawHttp.Response response = get("http://ADMIN.example.com.:8080/x", "other.example");

    assertThat(response.text()).endsWith("\r\n\r\nadmin");
  }

  @Test
  void theAuthorityOfAnHttp2RequestIsNormalizedTheSameWay() throws Exception {
    try (H2Client client = H2Client.h2c(gateway.port())) {
      assertThat(client.request("GET", "/x", Map.of(":authority", "admin.example.com."), null).bodyText()).isEqualTo("admin");
      assertThat(client.request("GET", "/x", Map.of(":authority", "Admin.Example.Com.:443"), null).bodyText()).isEqualTo("admin");
      H2Client.Response refused = client.request("GET", "/x", Map.of(":authority", "admin..example.com"), null);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.bodyText()).contains("\"code\":\"BAD_REQUEST\"");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "admin.example.com..",
      "admin..example.com",
      ".admin.example.com",
      ".",
      "..",
      "admin.example.com.:",
      "admin.example.com:99999",
      "admin_example.com:8x",
      "admin example.com",
      "admin.example.com/x",
      "user@admin.example.com",
      "admin%2eexample.com",
      "[::1",
      "[::g]",
      "[::1]x",
      "[fe80::1%25eth0]",
      "1.2.3.999",
      "10.0.0.256.",
  })
  void aHostThatIsNotAHostNameOrIpLiteralIs400(String host) throws Exception {
    RawHttp.Response response = get("/x", host);

    assertThat(response.status()).as(response.text()).isEqualTo(400);
    assertThat(response.text()).contains("{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"");
    assertThat(response.text()).contains("\"request_id\":\"");
  }

  @Test
  void aLabelLongerThanDnsAllowsIs400() throws Exception {
    assertThat(get("/x", "a".repeat(64) + ".example.com").status()).isEqualTo(400);
    assertThat(get("/x", "a".repeat(63) + ".example.com").status()).isEqualTo(200);
  }

  @Test
  void aUnicodeHostIs400AndNamesThePunycodeForm() throws Exception {
    // What a client sends when it puts UTF-8 in Host instead of the IDNA form.
    String utf8 = new String("bücher.example".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

    RawHttp.Response response = get("/x", utf8);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.text()).contains("\"code\":\"BAD_REQUEST\"").contains("xn--");
  }
}
