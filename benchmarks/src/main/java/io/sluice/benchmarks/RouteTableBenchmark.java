package io.sluice.benchmarks;

import io.sluice.routing.MatchInput;
import io.sluice.routing.RouteMatchResult;
import io.sluice.routing.RouteTable;
import java.util.Map;
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
 * Route lookup cost against table size. The requests hit routes generated last (deep in the
 * table) or miss; with an index, the cost should follow the path depth, not the route count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteTableBenchmark {

  @Param({"10", "1000", "10000"})
  int routes;

  private RouteTable table;
  private MatchInput exactHit;
  private MatchInput templateHit;
  private MatchInput hostHit;
  private MatchInput wildcardHostHit;
  private MatchInput miss;

  @Setup
  public void setUp() {
    table = RouteTable.compile(GeneratedRoutes.of(routes));
    int last = (routes / 4 - 1) * 4; // the last full group of four: exact, template, glob, host
    exactHit = input("GET", "api.example.com", "/" + GeneratedRoutes.service(last) + "/items");
    templateHit = input("GET", "api.example.com", "/" + GeneratedRoutes.service(last + 1) + "/items/12345");
    wildcardHostHit = input("GET", "eu.zone" + (last + 2) % 8 + ".example.com",
        "/" + GeneratedRoutes.service(last + 2) + "/files/a/b/c.txt");
    hostHit = input("POST", "h" + (last + 3) % 16 + ".example.com", "/" + GeneratedRoutes.service(last + 3) + "/orders/77");
    miss = input("GET", "api.example.com", "/nothing/here/at/all");
    for (MatchInput input : new MatchInput[] {exactHit, templateHit, wildcardHostHit, hostHit}) {
      if (!(table.match(input) instanceof RouteMatchResult.Matched)) {
        throw new IllegalStateException("benchmark request does not match: " + input.path());
      }
    }
    if (table.match(miss) != RouteMatchResult.NO_ROUTE) {
      throw new IllegalStateException("benchmark miss matches");
    }
  }

  private static MatchInput input(String method, String host, String path) {
    return MatchInput.of(method, host, path, Map.of(), "");
  }

  @Benchmark
  public RouteMatchResult exactPath() {
    return table.match(exactHit);
  }

  @Benchmark
  public RouteMatchResult templateWithParam() {
    return table.match(templateHit);
  }

  @Benchmark
  public RouteMatchResult exactHostTemplate() {
    return table.match(hostHit);
  }

  @Benchmark
  public RouteMatchResult wildcardHostGlob() {
    return table.match(wildcardHostHit);
  }

  @Benchmark
  public RouteMatchResult miss() {
    return table.match(miss);
  }
}
