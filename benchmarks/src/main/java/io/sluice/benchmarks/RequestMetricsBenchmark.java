package io.sluice.benchmarks;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.metrics.RequestMetrics;
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
 * What counting one finished exchange costs on the event loop: {@link RequestMetrics#record} on
 * the Prometheus registry the gateway exports, for a combination of route, method, status class
 * and upstream seen before (the meters are resolved in {@code @Setup}). {@code forwarded} also
 * records body bytes and the upstream's response time; {@code local} is an answer of the
 * gateway's own. Run with {@code -prof gc}: the target is 0 B/op. Run with {@code -t 2} to see
 * two event loops recording into the same meters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestMetricsBenchmark {

  private RequestMetrics metrics;

  @Setup
  public void setUp() {
    metrics = new RequestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    forwarded();
    local();
  }

  @Benchmark
  public void forwarded() {
    metrics.record("users", "GET", 200, "users-svc", 1_234_567, 987_654, 512, 4096);
  }

  @Benchmark
  public void local() {
    metrics.record("users", "POST", 429, null, 45_678, -1, 0, 120);
  }
}
