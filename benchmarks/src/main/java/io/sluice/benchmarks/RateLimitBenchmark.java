package io.sluice.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.ResponseView;
import io.sluice.spi.Decision;
import io.sluice.spi.Plugin;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The {@code rate_limit} plugin's local decision, built from YAML like in production, with limits
 * that never trip and {@code headers: false} (so what is measured is the key and the limiter):
 * {@code hotKey} counts every request against one key ({@code global}); {@code manyKeys} against
 * 100,000 keys ({@code header:x-client}), each exchange's header already parsed. Run with
 * {@code -prof gc} for B/op: the target is 0 for an existing key. {@code withBudgetHeaders} is the
 * default configuration ({@code headers: true}): the decision, then the five budget fields set on a
 * response head like the one the gateway builds for the client.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RateLimitBenchmark {

  private static final int KEYS = 100_000;

  @Param({"token_bucket", "sliding_window", "fixed_window"})
  public String algorithm;

  private Plugin hot;
  private Plugin many;
  private Plugin budgeted;
  private ExchangeView budgetedExchange;
  private ExchangeView hotExchange;
  private ExchangeView[] keyed;
  private int next;

  @Setup
  public void setUp() throws Exception {
    // generous enough never to trip at any speed this machine reaches
    String limit = switch (algorithm) {
      case "token_bucket" -> "limit: 1000000000, window: 1s";
      case "sliding_window" -> "limit: 16000000, window: 100ms";
      default -> "limit: 1000000000, window: 1s";
    };
    String yaml = """
        server:
          listeners: [ { name: bench, port: 0 } ]
        routes:
          - id: hot
            match: { path: /hot }
            respond: { status: 200 }
            plugins:
              - rate_limit: { algorithm: %1$s, %2$s, key: global, headers: false }
          - id: many
            match: { path: /many }
            respond: { status: 200 }
            plugins:
              - rate_limit: { algorithm: %1$s, %2$s, key: "header:x-client", headers: false, max_keys: 200000 }
          - id: budgeted
            match: { path: /budgeted }
            respond: { status: 200 }
            plugins:
              - rate_limit: { algorithm: %1$s, %2$s, key: global }
        """.formatted(algorithm, limit);
    BuiltPlugins plugins = BuiltPlugins.compile(yaml);
    hot = plugins.first("hot");
    many = plugins.first("many");
    budgeted = plugins.first("budgeted");
    hotExchange = view("/hot", null);
    budgetedExchange = view("/budgeted", null);
    keyed = new ExchangeView[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keyed[i] = view("/many", "client-" + i);
      many.onRequest(keyed[i]); // every key exists before measuring
    }
  }

  private static ExchangeView view(String path, String client) {
    HttpHeaders request = new DefaultHttpHeaders();
    if (client != null) {
      request.set("x-client", client);
    }
    return BuiltPlugins.get(path, null, path.substring(1), request);
  }

  @Benchmark
  public Decision hotKey() {
    return hot.onRequest(hotExchange);
  }

  @Benchmark
  public HttpHeaders withBudgetHeaders() {
    budgeted.onRequest(budgetedExchange);
    // a new head per response, as ProxyHeaders.forClient makes one
    HttpHeaders response = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    response.add(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    response.add(HttpHeaderNames.CONTENT_LENGTH, "5");
    response.add("x-request-id", "req-1");
    budgeted.onResponse(budgetedExchange, new ResponseView(200, response, false));
    return response;
  }

  @Benchmark
  public Decision manyKeys() {
    ExchangeView exchange = keyed[next];
    next = next + 1 == KEYS ? 0 : next + 1;
    return many.onRequest(exchange);
  }
}
