package io.sluice.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.ResponseView;
import io.sluice.spi.Decision;
import io.sluice.spi.Plugin;
import java.nio.ByteBuffer;
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
 * The {@code cache} plugin's hit: {@code onRequest} for a stored response, from the key to the
 * {@code DirectResponse} that answers it (the gateway then wraps the stored bytes, not measured
 * here). The store is filled through the plugin's own hooks, as the gateway would. Run with
 * {@code -prof gc} for B/op: what a hit allocates (the key, the answer's header map).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheBenchmark {

  @Param({"13", "16384"})
  public int bodyBytes;

  private Plugin cache;
  private ExchangeView hit;
  private ExchangeView queryHit;

  @Setup
  public void setUp() throws Exception {
    String yaml = """
        server:
          listeners: [ { name: bench, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:9" ] }
        routes:
          - id: cached
            match: { path: /** }
            upstream: backend
            plugins:
              - cache: { max_bytes: 64MiB }
        """;
    cache = BuiltPlugins.compile(yaml).first("cached");
    hit = view("/items/7", null);
    queryHit = view("/items", "page=2&size=20&sort=name");
    store(hit);
    store(queryHit);
    if (!(cache.onRequest(hit) instanceof Decision.Respond) || !(cache.onRequest(queryHit) instanceof Decision.Respond)) {
      throw new IllegalStateException("the responses were not stored");
    }
  }

  /** A miss, and the upstream's answer through the plugin's response hooks: what fills the store. */
  private void store(ExchangeView exchange) {
    cache.onRequest(exchange);
    HttpHeaders response = new DefaultHttpHeaders();
    response.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=3600");
    response.set(HttpHeaderNames.ETAG, "\"v1\"");
    response.set(HttpHeaderNames.CONTENT_LENGTH, bodyBytes);
    cache.onResponse(exchange, new ResponseView(200, response, false));
    cache.onResponseBodyChunk(exchange, ByteBuffer.wrap(new byte[bodyBytes]), true);
    cache.onComplete(exchange, null);
  }

  private static ExchangeView view(String path, String query) {
    HttpHeaders request = new DefaultHttpHeaders();
    request.set(HttpHeaderNames.ACCEPT, "application/json");
    return BuiltPlugins.get(path, query, "cached", request);
  }

  @Benchmark
  public Decision hit() {
    return cache.onRequest(hit);
  }

  @Benchmark
  public Decision hitWithQuery() {
    return cache.onRequest(queryHit);
  }
}
