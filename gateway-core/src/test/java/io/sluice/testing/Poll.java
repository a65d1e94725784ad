package io.sluice.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that background work (health checks, a drain) makes true eventually:
 * polls it every few milliseconds up to a deadline, instead of sleeping a guessed time.
 */
public final class Poll {

  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private Poll() {}

  /** Returns once {@code condition} holds; fails with {@code what} if it did not within 10 seconds. */
  public static void until(String what, BooleanSupplier condition) throws InterruptedException {
    until(what, condition, DEFAULT_WAIT);
  }

  public static void until(String what, BooleanSupplier condition, Duration wait) throws InterruptedException {
    until(what, condition, wait, () -> "");
  }

  /** Like {@link #until(String, BooleanSupplier)}; {@code state} describes what was seen last, for the failure message. */
  public static void until(String what, BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
    until(what, condition, DEFAULT_WAIT, state);
  }

  private static void until(String what, BooleanSupplier condition, Duration wait, Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("still not true after " + wait.toMillis() + "ms: " + what + " " + state.get());
      }
      Thread.sleep(10);
    }
  }
}
