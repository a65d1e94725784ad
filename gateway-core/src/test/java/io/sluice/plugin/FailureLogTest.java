package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Ticker;
import io.sluice.testing.RecordingLogger;
import io.sluice.testing.RecordingLogger.Line;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Repeated warnings of one plugin on one route: the first in full, then one summary line per interval. */
class FailureLogTest {

  final AtomicLong now = new AtomicLong(1_000);
  final Ticker ticker = now::get;
  final RecordingLogger lines = new RecordingLogger();
  final FailureLog log = new FailureLog(lines, ticker);

  void advance(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  @Test
  void theFirstFailureIsLoggedWithItsStackTraceAndTheSameOnesAfterItOnlyCounted() {
    IllegalStateException boom = new IllegalStateException("boom");
    for (int i = 0; i < 50; i++) {
      log.warn("onRequest IllegalStateException", "failure " + i, boom);
      advance(0);
    }

    assertThat(lines.lines()).containsExactly(new Line("failure 0", boom));
  }

  @Test
  void afterTheIntervalOneSummaryLineCountsWhatWasHeldBack() {
    IllegalStateException boom = new IllegalStateException("boom");
    log.warn("k", "failure 0", boom);
    for (int i = 1; i <= 41; i++) {
      advance(0);
      log.warn("k", "failure " + i, boom);
    }
    advance(12);
    log.warn("k", "failure 42", boom);
    advance(1);
    log.warn("k", "failure 43", boom);

    assertThat(lines.lines()).hasSize(2);
    assertThat(lines.lines().get(1).message())
        .isEqualTo("failure 42 [42 like this in the last 12s: logged in full the first time, then once per 10s]");
    assertThat(lines.lines().get(1).thrown()).as("no second stack trace").isNull();
  }

  @Test
  void aKindThatStayedQuietForAnIntervalStartsOverInFull() {
    IllegalStateException boom = new IllegalStateException("boom");
    log.warn("k", "first", boom);
    advance(11);
    log.warn("k", "again", boom);

    assertThat(lines.lines()).containsExactly(new Line("first", boom), new Line("again", boom));
  }

  @Test
  void differentKindsAreCountedApart() {
    log.warn("onRequest IllegalStateException", "a", new IllegalStateException());
    log.warn("onRequest IllegalArgumentException", "b", new IllegalArgumentException());
    log.warn("timeout", "c", null);
    log.warn("timeout", "d", null);

    assertThat(lines.lines()).extracting(Line::message).containsExactly("a", "b", "c");
  }

  @Test
  void manyThreadsFailingAtOnceLogOnce() throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 1_000; i++) {
          log.warn("k", "failure", null);
        }
      }));
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(lines.lines()).hasSize(1);
  }
}
