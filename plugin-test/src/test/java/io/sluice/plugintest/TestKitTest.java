package io.sluice.plugintest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.DirectResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void tasksGivenToTheExchangesExecutorWaitUntilTheTestRunsThem() {
    TestExchange exchange = TestExchange.get("/orders");
    List<String> ran = new ArrayList<>();
    exchange.executor().execute(() -> {
      ran.add("first");
      exchange.executor().execute(() -> ran.add("given by the first"));
    });
    exchange.executor().execute(() -> ran.add("second"));

    assertThat(ran).isEmpty();
    assertThat(exchange.tasks().pending()).isEqualTo(2);
    assertThat(exchange.tasks().runPending()).isEqualTo(3);
    assertThat(ran).containsExactly("first", "second", "given by the first");
    assertThat(exchange.tasks().pending()).isZero();
  }

  @Test
  void aResponseTakesAStatusChangeAndAReplacementAsTheGatewayDoes() {
    TestResponse response = TestResponse.fromUpstream(200);
    response.status(203);
    assertThat(response.status()).isEqualTo(203);
    assertThatThrownBy(() -> response.status(101)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> response.status(600)).isInstanceOf(IllegalArgumentException.class);

    DirectResponse stored = DirectResponse.of(200).withBody("from the cache");
    response.replaceWith(stored);
    assertThat(response.replacement()).isSameAs(stored);
    assertThat(response.status()).isEqualTo(200);
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
