package io.sluice.plugintest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.spi.AttributeKey;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestKitTest {

  @Test
  void anExchangeDecodesItsQueryAndKeepsHeadersAndAttributes() {
    AttributeKey<String> tenant = AttributeKey.of("kit.tenant", String.class);
    TestExchange exchange = TestExchange.request("POST", "/search?q=a%20b&tag=x&tag=y&flag").route("search")
        .header("X-Tenant", "acme").header("x-tenant", "globex").clientAddress("10.0.0.1").clientIp("203.0.113.7")
        .attribute(tenant, "acme");

    assertThat(exchange.method()).isEqualTo("POST");
    assertThat(exchange.path()).isEqualTo("/search");
    assertThat(exchange.rawQuery()).isEqualTo("q=a%20b&tag=x&tag=y&flag");
    assertThat(exchange.queryParameter("q")).containsExactly("a b");
    assertThat(exchange.queryParameter("tag")).containsExactly("x", "y");
    assertThat(exchange.queryParameter("flag")).containsExactly("");
    assertThat(exchange.requestHeaders().getAll("X-TENANT")).containsExactly("acme", "globex");
    assertThat(exchange.clientIp()).isEqualTo("203.0.113.7");
    assertThat(exchange.clientAddress()).isEqualTo("10.0.0.1");
    assertThat(exchange.attributes().get(tenant)).isEqualTo("acme");
    assertThat(exchange.outcome(204).routeId()).isEqualTo("search");
  }

  @Test
  void headersRefuseWhatTheGatewayRefuses() {
    TestHeaders headers = new TestHeaders();
    assertThatThrownBy(() -> headers.set("bad name", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> headers.set("x-split", "a\r\nx-injected: 1")).isInstanceOf(IllegalArgumentException.class);
    assertThat(headers.set("X-Ok", "caf\u00e9").get("x-ok")).isEqualTo("caf\u00e9");
  }

  @Test
  void aManualTickerMovesOnlyForward() {
    ManualTicker ticker = new ManualTicker();
    long start = ticker.nanoTime();
    ticker.advance(Duration.ofSeconds(2));
    assertThat(ticker.nanoTime() - start).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThatThrownBy(() -> ticker.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThat(TestPluginContext.forRoute("r").ticker(ticker).ticker()).isSameAs(ticker);
  }

  @Nested
  class OneGatewayPerTest {

    @RegisterExtension
    final SluiceGateway gateway = SluiceGateway.withRoutes("""
        - id: hello
          match: { path: /hello }
          upstream: backend
        - id: direct
          match: { path: /direct }
          respond: { status: 204 }
        """);

    @Test
    void proxiesToTheUpstreamAndAnswersDirectRoutes() throws Exception {
      assertThat(gateway.send("GET", "/hello").statusCode()).isEqualTo(200);
      assertThat(gateway.upstream().lastRequest().uri()).isEqualTo("/hello");
      assertThat(gateway.send("GET", "/direct").statusCode()).isEqualTo(204);
      assertThat(gateway.send("GET", "/nowhere").statusCode()).isEqualTo(404);
    }
  }
}
