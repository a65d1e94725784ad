package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.RequestHead;
import io.sluice.routing.PathParams;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Ticker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chain runner on an in-memory event loop: what happens when the plugin's answer cannot be made. */
class RequestChainRunTest {

  static PluginChain chain(String plugins) throws Exception {
    PluginRegistry registry = PluginRegistry.builtIn();
    GatewayConfig config = ConfigLoader.parse("""
        server:
          listeners: [ { name: test, port: 0 } ]
        routes:
          - id: r
            match: { path: /r }
            respond: { status: 200 }
            plugins: %s
        """.formatted(plugins), "test.yaml", name -> null, registry.catalog());
    return PluginChains.compile(config, registry, new SimpleMeterRegistry(), Ticker.SYSTEM).forRoute("r");
  }

  static ExchangeView exchange() {
    return new ExchangeView(new RequestHead(HttpMethod.GET, "http", "x", "x", "/r", null, new DefaultHttpHeaders(), false, -1),
        "req-1", "r", PathParams.EMPTY, "127.0.0.1");
  }

  /** Records what the run answers; the first answer fails to be made, as a write that cannot happen would. */
  static final class FailingFirstAnswer implements RequestChainRun.Continuation {
    final List<Object> answers = new ArrayList<>();

    @Override
    public void proceed() {
      answers.add("proceed");
    }

    @Override
    public void reply(GatewayError error) {
      fail(error);
    }

    @Override
    public void respond(DirectResponse response) {
      fail(response);
    }

    private void fail(Object answer) {
      answers.add(answer);
      if (answers.size() == 1) {
        throw new RequestChainRun.AnswerNotMade(new IllegalStateException("the answer could not be made"));
      }
    }
  }

  @Test
  void anAnswerThatCannotBeMadeBecomesAPluginErrorNamingThePlugin() throws Exception {
    EmbeddedChannel loop = new EmbeddedChannel();
    FailingFirstAnswer continuation = new FailingFirstAnswer();
    RequestChainRun run = new RequestChainRun(chain("[ { test_edge: { respond_status: 204 } } ]"), exchange(),
        loop.eventLoop(), continuation);

    assertThat(run.start()).isTrue();

    assertThat(continuation.answers).hasSize(2);
    assertThat(continuation.answers.get(0)).isInstanceOf(DirectResponse.class);
    GatewayError error = (GatewayError) continuation.answers.get(1);
    assertThat(error.code()).isEqualTo(ErrorCode.PLUGIN_ERROR);
    assertThat(error.details()).isEqualTo("plugin=test_edge failed: java.lang.IllegalStateException: the answer could not be made");
    loop.finishAndReleaseAll();
  }

  @Test
  void aRejectionThatCannotBeMadeBecomesAPluginErrorToo() throws Exception {
    EmbeddedChannel loop = new EmbeddedChannel();
    FailingFirstAnswer continuation = new FailingFirstAnswer();
    ExchangeView exchange = exchange();
    exchange.requestHeaders().set("x-deny", "1");
    RequestChainRun run = new RequestChainRun(chain("[ { test_deny: {} } ]"), exchange, loop.eventLoop(), continuation);

    assertThat(run.start()).isTrue();

    assertThat(continuation.answers).hasSize(2);
    assertThat(((GatewayError) continuation.answers.get(0)).code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(((GatewayError) continuation.answers.get(1)).details()).startsWith("plugin=test_deny failed: ");
    loop.finishAndReleaseAll();
  }
}
