package io.sluice.benchmarks;

import io.sluice.routing.NormalizedPath;
import io.sluice.routing.PathNormalizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Normalization cost of a path that is already normal (the common case, expected to allocate
 * nothing), of one that needs decoding, collapsing and dot removal, and of one whose matrix
 * parameters are set aside.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PathNormalizerBenchmark {

  // Not final, so the JIT cannot fold the input into a constant.
  private String clean = "/api/v1/users/42/orders/2024-06-11.json";
  private String needsWork = "/api/v1//users/./42/%2e%2e/42/orders/caf%c3%a9/%7Eme";
  private String matrix = "/api/v1/users;jsessionid=0123456789ABCDEF/42/orders;page=2";

  @Benchmark
  public String cleanPath() {
    return path(PathNormalizer.normalize(clean));
  }

  @Benchmark
  public String pathNeedingWork() {
    return path(PathNormalizer.normalize(needsWork));
  }

  @Benchmark
  public String pathWithMatrixParameters() {
    return path(PathNormalizer.normalize(matrix));
  }

  // What the proxy does with the result: use the path or refuse the request.
  private static String path(NormalizedPath normalized) {
    return normalized instanceof NormalizedPath.Ok ok ? ok.path() : null;
  }
}
