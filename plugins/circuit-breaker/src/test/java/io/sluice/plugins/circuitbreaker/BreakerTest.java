package io.sluice.plugins.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.circuitbreaker.Breaker.Result;
import io.sluice.plugins.circuitbreaker.Breaker.State;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine on a clock the test moves. */
class BreakerTest {

  private final FakeTicker ticker = new FakeTicker();

  static CircuitBreakerConfig config(Integer windowCalls, Duration windowTime, int minimumCalls, Integer slowRate,
      Integer consecutive) {
    return new CircuitBreakerConfig(null, windowCalls, windowTime, minimumCalls, 50, slowRate,
        slowRate == null ? null : Duration.ofSeconds(1), consecutive, List.of(), Duration.ofSeconds(10), 2);
  }

  private Breaker breaker(CircuitBreakerConfig config) {
    return new Breaker("upstream 'users'", config, ticker, System.getLogger("test"));
  }

  /** Admits one call and reports {@code result} for it. */
  private static void call(Breaker breaker, Result result) {
    Breaker.Period period = breaker.admit();
    assertThat(period).as("admitted").isNotNull();
    breaker.completed(period, result);
  }

  @Test
  void opensWhenTheFailureRateOfTheLastCallsReachesTheThresholdOnceTheMinimumIsThere() {
    Breaker breaker = breaker(config(10, null, 6, null, null));
    for (int i = 0; i < 5; i++) {
      call(breaker, i % 2 == 0 ? Result.FAILURE : Result.SUCCESS); // 3 of 5 failed, but 5 < 6 calls
    }
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    call(breaker, Result.SUCCESS); // 3 of 6: 50%
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.admit()).isNull();
    assertThat(breaker.retryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
  }

  @Test
  void theCountWindowForgetsCallsOlderThanItsSize() {
    Breaker breaker = breaker(config(4, null, 4, null, null));
    call(breaker, Result.FAILURE);
    for (int i = 0; i < 20; i++) {
      call(breaker, Result.SUCCESS);
    }
    call(breaker, Result.FAILURE); // 1 of the last 4
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    call(breaker, Result.FAILURE); // 2 of the last 4
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void theTimeWindowForgetsCallsOlderThanItsDuration() {
    Breaker breaker = breaker(config(null, Duration.ofSeconds(10), 4, null, null));
    call(breaker, Result.FAILURE);
    call(breaker, Result.FAILURE);
    call(breaker, Result.SUCCESS);
    ticker.advance(Duration.ofSeconds(11)); // the three above left the window
    call(breaker, Result.SUCCESS);
    call(breaker, Result.SUCCESS);
    call(breaker, Result.FAILURE);
    assertThat(breaker.state()).isEqualTo(State.CLOSED); // 3 calls in the window: below the minimum of 4
    call(breaker, Result.FAILURE); // 2 of 4
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void slowCallsOpenItWhenTheirRateIsJudged() {
    Breaker breaker = breaker(config(10, null, 4, 75, null));
    call(breaker, Result.SLOW);
    call(breaker, Result.SLOW);
    call(breaker, Result.SUCCESS);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    call(breaker, Result.SLOW); // 3 of 4 slow
    assertThat(breaker.state()).isEqualTo(State.OPEN);

    Breaker notJudged = breaker(config(10, null, 4, null, null));
    for (int i = 0; i < 10; i++) {
      call(notJudged, Result.SLOW);
    }
    assertThat(notJudged.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void failuresInARowOpenItBeforeAnyRateCould() {
    Breaker breaker = breaker(config(100, null, 100, null, 3));
    call(breaker, Result.FAILURE);
    call(breaker, Result.FAILURE);
    call(breaker, Result.SUCCESS); // the run is broken
    call(breaker, Result.FAILURE);
    call(breaker, Result.FAILURE);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    call(breaker, Result.FAILURE);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void afterTheWaitProbesPassAndAllSucceedingClosesIt() {
    Breaker breaker = open();
    ticker.advance(Duration.ofSeconds(9));
    assertThat(breaker.admit()).isNull();
    assertThat(breaker.retryAfterNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());

    ticker.advance(Duration.ofSeconds(1));
    Breaker.Period first = breaker.admit();
    Breaker.Period second = breaker.admit();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(first).isNotNull().isSameAs(second);
    assertThat(breaker.admit()).as("only half_open_calls probes").isNull();

    breaker.completed(first, Result.SUCCESS);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    breaker.completed(second, Result.SUCCESS);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    call(breaker, Result.FAILURE); // the window starts empty again
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void oneFailedProbeOpensItAgainForAnotherFullWait() {
    Breaker breaker = open();
    ticker.advance(Duration.ofSeconds(10));
    Breaker.Period probe = breaker.admit();
    breaker.completed(probe, Result.FAILURE);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.retryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(breaker.admit()).isNull();
  }

  @Test
  void aProbeThatToldNothingLetsAnotherThrough() {
    Breaker breaker = open();
    ticker.advance(Duration.ofSeconds(10));
    Breaker.Period first = breaker.admit();
    Breaker.Period second = breaker.admit();
    assertThat(breaker.admit()).isNull();

    breaker.completed(first, Result.NOT_JUDGED); // the client went away before the upstream answered
    Breaker.Period third = breaker.admit();
    assertThat(third).isNotNull();
    breaker.completed(second, Result.SUCCESS);
    breaker.completed(third, Result.SUCCESS);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void anOutcomeOfACallAdmittedInAnEarlierStateChangesNothing() {
    Breaker breaker = breaker(config(10, null, 2, null, null));
    Breaker.Period slowToAnswer = breaker.admit();
    call(breaker, Result.FAILURE);
    call(breaker, Result.FAILURE);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    ticker.advance(Duration.ofSeconds(10));
    Breaker.Period probe = breaker.admit();

    breaker.completed(slowToAnswer, Result.FAILURE); // admitted while closed: not a probe

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    breaker.completed(probe, Result.SUCCESS);
    breaker.completed(breaker.admit(), Result.SUCCESS);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  private Breaker open() {
    Breaker breaker = breaker(config(10, null, 2, null, null));
    call(breaker, Result.FAILURE);
    call(breaker, Result.FAILURE);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    return breaker;
  }
}
