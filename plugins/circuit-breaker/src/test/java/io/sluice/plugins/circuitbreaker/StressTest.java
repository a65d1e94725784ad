package io.sluice.plugins.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.circuitbreaker.Breaker.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads drive one breaker through its states at once; its invariants hold throughout. */
class StressTest {

  @Test
  void noHalfOpenPeriodAdmitsMoreProbesThanConfiguredAndTheBreakerNeverSticks() throws Exception {
    FakeTicker ticker = new FakeTicker();
    CircuitBreakerConfig config = new CircuitBreakerConfig(null, 20, null, 10, 50, null, null, 5, List.of(),
        Duration.ofMillis(1), 3);
    Breaker breaker = new Breaker("upstream 'stress'", config, ticker, System.getLogger("stress"));
    Map<Breaker.Period, AtomicInteger> probesInFlight = new ConcurrentHashMap<>();
    AtomicInteger mostProbesInFlight = new AtomicInteger();
    Map<Breaker.State, AtomicInteger> seen = new ConcurrentHashMap<>();
    int threads = 8;
    int callsEach = 50_000;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < callsEach; i++) {
          if (random.nextInt(100) == 0) {
            ticker.advance(Duration.ofMillis(1));
          }
          Breaker.Period period = breaker.admit();
          if (period == null) {
            continue;
          }
          seen.computeIfAbsent(period.state, s -> new AtomicInteger()).incrementAndGet();
          AtomicInteger inFlight = period.state == Breaker.State.HALF_OPEN
              ? probesInFlight.computeIfAbsent(period, p -> new AtomicInteger()) : null;
          if (inFlight != null) {
            mostProbesInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          }
          // phases of mostly failing and mostly succeeding calls
          boolean failing = (ticker.nanoTime() / 50_000_000L) % 2 == 0;
          int roll = random.nextInt(100);
          Result result = roll < 5 ? Result.NOT_JUDGED : failing == roll < 80 ? Result.FAILURE : Result.SUCCESS;
          if (inFlight != null) {
            inFlight.decrementAndGet(); // before completing: a probe that told nothing hands its permit on
          }
          breaker.completed(period, result);
        }
      }));
    }
    for (Thread worker : workers) {
      worker.join();
    }

    assertThat(seen.keySet()).contains(Breaker.State.CLOSED, Breaker.State.HALF_OPEN);
    assertThat(probesInFlight.size()).as("half-open periods").isGreaterThan(10);
    assertThat(mostProbesInFlight.get()).isBetween(1, 3);
    assertThat(probesInFlight.keySet()).allSatisfy(period -> assertThat(period.successes.get()).isLessThanOrEqualTo(3));
    // the breaker still works: after a quiet wait, successes close it
    ticker.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 10 && breaker.state() != Breaker.State.CLOSED; i++) {
      Breaker.Period period = breaker.admit();
      if (period != null) {
        breaker.completed(period, Result.SUCCESS);
      }
    }
    assertThat(breaker.state()).isEqualTo(Breaker.State.CLOSED);
  }
}
