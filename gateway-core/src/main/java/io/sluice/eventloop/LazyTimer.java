package io.sluice.eventloop;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline that is set and cleared far more often than it expires, such as a keep-alive
 * connection's per-request timeouts. Setting or clearing it only writes fields; the one task it
 * keeps scheduled fires at the earliest deadline it was armed for and, if the deadline has since
 * moved later (or was cleared), re-schedules itself for the rest (or does nothing). Scheduling and
 * cancelling a Netty task per request costs a queue insertion, a removal and an allocation each time.
 *
 * <p>Confined to its event loop.
 */
public final class LazyTimer {

  private final EventExecutor loop;
  private final Runnable fire = this::fire;
  private Runnable onExpiry;
  private long deadlineNanos;
  private ScheduledFuture<?> task;
  private long taskDueNanos;

  public LazyTimer(EventExecutor loop) {
    this.loop = loop;
  }

  /** Runs {@code onExpiry} after {@code delayNanos} unless re-armed or disarmed first. */
  public void arm(long delayNanos, Runnable expiry) {
    long due = System.nanoTime() + delayNanos;
    onExpiry = expiry;
    deadlineNanos = due;
    if (task == null || taskDueNanos - due > 0) {
      if (task != null) {
        task.cancel(false);
      }
      schedule(due, delayNanos);
    }
  }

  /** Clears the deadline; the scheduled task, if any, will find nothing to do. */
  public void disarm() {
    onExpiry = null;
  }

  public boolean isArmed() {
    return onExpiry != null;
  }

  /** Clears the deadline and drops the scheduled task (the owner is going away). */
  public void cancel() {
    onExpiry = null;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void schedule(long due, long delayNanos) {
    taskDueNanos = due;
    task = loop.schedule(fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    task = null;
    Runnable expiry = onExpiry;
    if (expiry == null) {
      return;
    }
    long left = deadlineNanos - System.nanoTime();
    if (left > 0) {
      schedule(deadlineNanos, left);
      return;
    }
    onExpiry = null;
    expiry.run();
  }
}
