package io.sluice.plugintest;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * A stand-in for an exchange's event loop ({@link io.sluice.spi.Exchange#executor()}) that runs
 * nothing until the test says so: tasks wait in order, as they would behind the hook that gave
 * them, and {@link #runPending()} runs them (and those they give) on the test's thread.
 *
 * {@snippet :
 * TestExchange exchange = TestExchange.get("/orders");
 * Decision decision = plugin.onRequest(exchange);        // gives a task to exchange.executor()
 * assertThat(exchange.tasks().pending()).isEqualTo(1);    // not run while the hook runs
 * exchange.tasks().runPending();
 * }
 */
public final class ManualExecutor implements Executor {

  private final Queue<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task");
    }
    tasks.add(task);
  }

  /** Tasks given and not run yet. */
  public synchronized int pending() {
    return tasks.size();
  }

  /**
   * Runs the tasks given so far, in order, then those they gave in turn, until none is left;
   * returns how many ran. A task that throws ends the call with its exception; later tasks stay.
   */
  public int runPending() {
    int ran = 0;
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
      }
      if (next == null) {
        return ran;
      }
      next.run();
      ran++;
    }
  }
}
