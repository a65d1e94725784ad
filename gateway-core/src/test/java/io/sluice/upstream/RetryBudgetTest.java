package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.config.RetryBudgetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry budget: its ratio and minimum, and that threads racing for slots never get more than it allows. */
class RetryBudgetTest {

  @Test
  void allowsAPercentageOfTheRequestsInFlightButAtLeastTheMinimum() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RetryBudget budget = new RetryBudget("u", new RetryBudgetConfig(20, 2), meters);

    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).as("the minimum of 2 with no requests in flight").isFalse();

    for (int i = 0; i < 20; i++) {
      budget.requestStarted();
    }
    assertThat(budget.tryAcquire()).as("20% of 20 is 4").isTrue();
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isFalse();
    assertThat(budget.retrying()).isEqualTo(4);

    budget.release();
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(meters.find("sluice.upstream.retries").tag("outcome", "budget_exhausted").counter().count()).isEqualTo(2);
  }

  @Test
  void racingThreadsNeverHoldMoreSlotsThanTheBudgetAllows() throws Exception {
    RetryBudget budget = new RetryBudget("u", new RetryBudgetConfig(10, 3), null);
    for (int i = 0; i < 50; i++) {
      budget.requestStarted(); // 10% of 50 is 5
    }
    AtomicInteger held = new AtomicInteger();
    AtomicInteger mostHeld = new AtomicInteger();
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          if (budget.tryAcquire()) {
            granted.incrementAndGet();
            mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
            held.decrementAndGet();
            budget.release();
          }
        }
      }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(mostHeld.get()).isBetween(1, 5);
    assertThat(granted.get()).isPositive();
    assertThat(budget.retrying()).isZero();
  }
}
