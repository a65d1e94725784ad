package io.sluice.eventloop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LazyTimerTest {

  private final DefaultEventLoop loop = new DefaultEventLoop();
  private final LazyTimer timer = new LazyTimer(loop);

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void onLoop(Runnable task) throws Exception {
    loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  @Test
  void firesOnceAfterTheDelay() throws Exception {
    CountDownLatch fired = new CountDownLatch(1);
    long armed = System.nanoTime();
    AtomicLong firedAt = new AtomicLong();
    onLoop(() -> timer.arm(TimeUnit.MILLISECONDS.toNanos(50), () -> {
      firedAt.set(System.nanoTime());
      fired.countDown();
    }));

    assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(firedAt.get() - armed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    onLoop(() -> assertThat(timer.isArmed()).isFalse());
  }

  @Test
  void reArmingLaterMovesTheDeadlineAndOnlyTheLastActionRuns() throws Exception {
    CountDownLatch fired = new CountDownLatch(1);
    AtomicLong firedAt = new AtomicLong();
    AtomicLong firstRan = new AtomicLong();
    long start = System.nanoTime();
    onLoop(() -> timer.arm(TimeUnit.MILLISECONDS.toNanos(30), () -> firstRan.incrementAndGet()));
    onLoop(() -> timer.arm(TimeUnit.MILLISECONDS.toNanos(200), () -> {
      firedAt.set(System.nanoTime());
      fired.countDown();
    }));

    assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(firedAt.get() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    assertThat(firstRan.get()).isZero();
  }

  @Test
  void reArmingSoonerFiresAtTheSoonerDeadline() throws Exception {
    CountDownLatch fired = new CountDownLatch(1);
    long start = System.nanoTime();
    AtomicLong firedAt = new AtomicLong();
    onLoop(() -> timer.arm(TimeUnit.SECONDS.toNanos(30), () -> { }));
    onLoop(() -> timer.arm(TimeUnit.MILLISECONDS.toNanos(20), () -> {
      firedAt.set(System.nanoTime());
      fired.countDown();
    }));

    assertThat(fired.await(5, TimeUnit.SECONDS)).as("not held until the first, later deadline").isTrue();
    assertThat(firedAt.get() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void aDisarmedOrCancelledTimerDoesNothing() throws Exception {
    AtomicLong ran = new AtomicLong();
    onLoop(() -> {
      timer.arm(TimeUnit.MILLISECONDS.toNanos(20), ran::incrementAndGet);
      timer.disarm();
    });
    LazyTimer other = new LazyTimer(loop);
    onLoop(() -> {
      other.arm(TimeUnit.MILLISECONDS.toNanos(20), ran::incrementAndGet);
      other.cancel();
    });
    Thread.sleep(150); // proving that a timer does not fire takes waiting past its deadline (20 ms)
    onLoop(() -> { });

    assertThat(ran.get()).isZero();
  }
}
