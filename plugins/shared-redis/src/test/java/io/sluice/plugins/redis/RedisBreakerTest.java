package io.sluice.plugins.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.sluice.spi.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker in front of Redis, with a clock the test moves. */
class RedisBreakerTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final Ticker clock = now::get;
  private final RedisBreaker breaker = new RedisBreaker(clock, 3, Duration.ofSeconds(1));

  private void advance(Duration by) {
    now.addAndGet(by.toNanos());
  }

  private void open() {
    for (int i = 0; i < 3; i++) {
      breaker.failed();
    }
    assertThat(breaker.isOpen()).isTrue();
  }

  @Test
  void opensAfterFailuresInARowAndLetsOneProbeThroughLater() {
    breaker.failed();
    breaker.failed();
    assertThat(breaker.allows()).isTrue();
    assertThat(breaker.isOpen()).isFalse();
    breaker.failed();

    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.allows()).isFalse();
    advance(Duration.ofMillis(999));
    assertThat(breaker.allows()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(breaker.allows()).isTrue();  // the probe
    assertThat(breaker.allows()).isFalse(); // one at a time
    assertThat(breaker.isOpen()).isTrue();

    breaker.succeeded();
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.allows()).isTrue();
    assertThat(breaker.allows()).isTrue();
  }

  @Test
  void aFailedProbeOpensItAgainForAnotherPeriod() {
    open();
    advance(Duration.ofSeconds(1));
    assertThat(breaker.allows()).isTrue();
    advance(Duration.ofMillis(500));

    breaker.failed(); // the probe's: one failure is enough now

    assertThat(breaker.isOpen()).isTrue();
    advance(Duration.ofMillis(999));
    assertThat(breaker.allows()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(breaker.allows()).isTrue();
  }

  @Test
  void askingWhetherItWouldAllowLeavesTheProbeToTheCommandThatIsSent() {
    open();
    assertThat(breaker.wouldAllow()).isFalse();
    advance(Duration.ofSeconds(1));
    assertThat(breaker.wouldAllow()).isTrue();
    assertThat(breaker.wouldAllow()).isTrue();

    assertThat(breaker.allows()).isTrue();
    assertThat(breaker.wouldAllow()).isFalse();
    assertThat(breaker.allows()).isFalse();
  }

  @Test
  void aProbeWhoseOutcomeNeverArrivesIsFollowedByAnotherOnePeriodLater() {
    open();
    advance(Duration.ofSeconds(1));
    assertThat(breaker.allows()).isTrue(); // a probe never sent, so never reported

    advance(Duration.ofMillis(999));
    assertThat(breaker.allows()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(breaker.allows()).isTrue();
    breaker.completed(null);
    assertThat(breaker.isOpen()).isFalse();
  }

  @Test
  void aSuccessInBetweenStartsTheCountAgain() {
    breaker.failed();
    breaker.failed();
    breaker.completed(null);
    breaker.failed();
    breaker.completed(new IOException("timed out"));

    assertThat(breaker.isOpen()).isFalse();
    breaker.completed(new IOException("timed out"));
    assertThat(breaker.isOpen()).isTrue();
  }

  @Test
  void theDefaultOpensAfterFiveFailuresForOneSecond() {
    RedisBreaker byDefault = new RedisBreaker(clock);
    for (int i = 0; i < 4; i++) {
      byDefault.failed();
    }
    assertThat(byDefault.allows()).isTrue();
    byDefault.failed();
    assertThat(byDefault.allows()).isFalse();
    advance(Duration.ofMillis(999));
    assertThat(byDefault.allows()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(byDefault.allows()).isTrue();
  }

  @Test
  void aTimeOfZeroStillCountsAsOpen() {
    now.set(-Duration.ofSeconds(1).toNanos()); // the open period ends at exactly 0
    open();
    assertThat(breaker.allows()).isFalse();
    advance(Duration.ofSeconds(1).plusNanos(1)); // moved by a nanosecond, not closed
    assertThat(breaker.allows()).isTrue();
    assertThat(breaker.allows()).isFalse();
  }

  @Test
  void refusesANonsensicalThresholdOrPeriod() {
    assertThatIllegalArgumentException().isThrownBy(() -> new RedisBreaker(clock, 0, Duration.ofSeconds(1)));
    assertThatIllegalArgumentException().isThrownBy(() -> new RedisBreaker(clock, 1, Duration.ZERO));
  }

  @Test
  void threadsAskingAtOnceGetOneProbePerPeriod() throws Exception {
    int threads = 8;
    for (int round = 0; round < 200; round++) {
      open();
      advance(Duration.ofSeconds(1));
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger probes = new AtomicInteger();
      List<Thread> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        running.add(Thread.ofPlatform().start(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          for (int i = 0; i < 100; i++) {
            if (breaker.allows()) {
              probes.incrementAndGet();
            }
          }
        }));
      }
      start.countDown();
      for (Thread thread : running) {
        thread.join();
      }
      assertThat(probes).hasValue(1);
      breaker.succeeded();
    }
  }
}
