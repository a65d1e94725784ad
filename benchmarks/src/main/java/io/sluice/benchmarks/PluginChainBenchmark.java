package io.sluice.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.AccessLog;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.server.GatewayServer;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One keep-alive HTTP/1.1 request through the real Netty pipeline (decoder, request checks,
 * routing, plugin chain, direct response, encoder) on an in-memory channel, with 0, 5 and 10
 * no-op plugins on the route: the cost of the chain itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PluginChainBenchmark {

  private static final byte[] REQUEST =
      "GET /bench HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  @Param({"0", "5", "10"})
  int plugins;

  private EmbeddedChannel channel;
  private ByteBuf request;

  @Setup
  public void setUp() throws Exception {
    StringBuilder chain = new StringBuilder();
    for (int i = 1; i <= plugins; i++) {
      chain.append("      - noop_").append(i).append(": {}\n");
    }
    String yaml = """
        server:
          listeners: [ { name: bench, port: 0 } ]
          access_log: false
        routes:
          - id: bench
            match: { path: /bench }
            respond: { status: 200, headers: { content-type: text/plain }, body: "ok" }
        """ + (plugins == 0 ? "" : "    plugins:\n" + chain);
    PluginRegistry registry = PluginRegistry.builtIn();
    GatewayConfig config = ConfigLoader.parse(yaml, "bench.yaml", name -> null, registry.catalog());
    GatewaySnapshot snapshot = GatewaySnapshot.compile(config, registry, new SimpleMeterRegistry());
    channel = GatewayServer.embeddedConnection(snapshot, AccessLog.disabled());
    request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(REQUEST.length).writeBytes(REQUEST));
  }

  @Benchmark
  public void request(Blackhole blackhole) {
    channel.writeInbound(request.retainedDuplicate());
    Object out;
    while ((out = channel.readOutbound()) != null) {
      blackhole.consume(out);
      ReferenceCountUtil.release(out);
    }
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
  }
}
