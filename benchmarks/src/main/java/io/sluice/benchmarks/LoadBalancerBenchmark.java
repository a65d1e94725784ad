package io.sluice.benchmarks;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import io.sluice.config.UpstreamTimeouts;
import io.sluice.upstream.LoadBalancer;
import io.sluice.upstream.UpstreamCluster;
import io.sluice.upstream.UpstreamPools;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The endpoint pick of every proxied request to an upstream of three endpoints, as the gateway
 * builds it from config (health checks off: every endpoint available). The pools are those of an
 * event loop that has no connections yet, so least_request compares two zero counts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LoadBalancerBenchmark {

  private static final List<Endpoint> ENDPOINTS = List.of(
      new Endpoint("http", "10.0.0.1", 8080), new Endpoint("http", "10.0.0.2", 8080), new Endpoint("http", "10.0.0.3", 8080));

  private LoadBalancer roundRobin;
  private LoadBalancer leastRequest;
  private UpstreamPools pools;

  @Setup
  public void setUp() {
    roundRobin = balancer(UpstreamConfig.LoadBalancing.ROUND_ROBIN);
    leastRequest = balancer(UpstreamConfig.LoadBalancing.LEAST_REQUEST);
    pools = new UpstreamPools(null, null); // no pool is created: pick only reads in-flight counts
  }

  private static LoadBalancer balancer(UpstreamConfig.LoadBalancing kind) {
    return new UpstreamCluster(new UpstreamConfig("bench", ENDPOINTS, kind, UpstreamTimeouts.DEFAULTS, 1024)).balancer();
  }

  @Benchmark
  public Endpoint roundRobin() {
    return roundRobin.pick(pools);
  }

  @Benchmark
  public Endpoint leastRequest() {
    return leastRequest.pick(pools);
  }
}
