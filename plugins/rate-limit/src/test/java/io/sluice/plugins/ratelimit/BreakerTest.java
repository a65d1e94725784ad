package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The breaker in front of Redis, with a clock the test moves. */
class BreakerTest {

  private final FakeTicker clock = new FakeTicker();
  private final Breaker breaker = new Breaker(clock, 3, Duration.ofSeconds(1).toNanos());

  @Test
  void opensAfterFailuresInARowAndLetsOneProbeThroughLater() {
    breaker.failed();
    breaker.failed();
    assertThat(breaker.allows()).isTrue();
    breaker.failed();

    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.allows()).isFalse();
    clock.advance(Duration.ofMillis(999));
    assertThat(breaker.allows()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.allows()).isTrue();  // the probe
    assertThat(breaker.allows()).isFalse(); // one at a time

    breaker.succeeded();
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.allows()).isTrue();
  }

  @Test
  void aFailedProbeOpensItAgainForAnotherPeriod() {
    for (int i = 0; i < 3; i++) {
      breaker.failed();
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.allows()).isTrue();

    breaker.failed();

    assertThat(breaker.allows()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.allows()).isTrue();
  }

  @Test
  void aSuccessInBetweenStartsTheCountAgain() {
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();

    assertThat(breaker.isOpen()).isFalse();
  }
}
