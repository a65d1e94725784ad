package io.sluice.testing.grpc;

import java.time.Duration;

/** A counter tests can wait on: incremented by server threads, awaited by the test thread. */
public final class Count {

  private int value;

  synchronized void increment() {
    value++;
    notifyAll();
  }

  public synchronized int value() {
    return value;
  }

  /** Waits until the count reaches {@code atLeast}; false if {@code timeout} passed first. */
  public synchronized boolean await(int atLeast, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (value < atLeast) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
