package io.sluice.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Shows the whole request body to the plugins that judge it ({@code BodyAccess.buffered}), in chain
 * order, for one exchange. A plugin may decide later ({@code Decision.await}): the walk then resumes
 * on the exchange's event loop, within the plugin's timeout, like {@link RequestChainRun}'s.
 *
 * <p>The body: the caller owns it throughout. Each awaited stage holds one more reference to it,
 * taken before the stage is waited for and given back once the stage completed (on whatever
 * thread), whether the run still waits for it or not: a plugin's client may be reading the bytes
 * on its own thread until then, even after a timeout or the client went away.
 */
public final class RequestBodyRun {

  private static final System.Logger LOG = System.getLogger(RequestBodyRun.class.getName());

  /** What happens after the judgment. Called on the event loop, at most once. */
  public interface Continuation {
    /** Every plugin let the body through. */
    void proceed();

    /** A plugin (or the run, for it) refused the body. */
    void reply(GatewayError error);
  }

  private final PluginSlot[] slots;
  private final Exchange exchange;
  private final EventExecutor loop;
  private final ByteBuf body;
  private final Continuation continuation;
  /** The number of the current wait; bumped when it ends, so that late completions are ignored. */
  private int wait;
  private boolean over;
  private int waitingFor = -1;
  private long deadline;
  private ScheduledFuture<?> timer;

  public RequestBodyRun(PluginChain chain, Exchange exchange, EventExecutor loop, ByteBuf body, Continuation continuation) {
    this.slots = chain.requestBodyBufferers();
    this.exchange = exchange;
    this.loop = loop;
    this.body = body;
    this.continuation = continuation;
  }

  /** Starts the walk; the continuation may be called before this returns. */
  public void start() {
    walk(0);
  }

  /** Stops a run that waits: its continuation is never called (references held by stages still go back). */
  public void cancel() {
    endWait();
    over = true;
  }

  private void walk(int from) {
    for (int i = from; i < slots.length; i++) {
      PluginSlot slot = slots[i];
      long start = System.nanoTime();
      Decision decision;
      try {
        decision = slot.plugin().onRequestBody(exchange, body.nioBuffer().asReadOnlyBuffer());
      } catch (RuntimeException | LinkageError e) {
        failed(slot, e);
        return;
      }
      if (i != waitingFor) {
        waitingFor = i;
        deadline = start + slot.timeoutNanos(); // the plugin's time runs from its call, across its awaits
      }
      if (!apply(i, decision)) {
        return;
      }
    }
    finish();
    continuation.proceed();
  }

  /** Applies one plugin's decision; {@code true} to go on with the next plugin. */
  private boolean apply(int index, Decision decision) {
    PluginSlot slot = slots[index];
    switch (decision) {
      case Decision.Proceed proceed -> {
        return true;
      }
      case Decision.Reply reply -> {
        if (!slot.enforce()) {
          slot.shadowRejections().increment();
          LOG.log(System.Logger.Level.INFO, "shadow mode: plugin ''{0}'' on route ''{1}'' would have answered {2} to request {3}",
              slot.name(), slot.routeId(), reply.error().code(), exchange.requestId());
          return true;
        }
        finish();
        continuation.reply(reply.error());
        return false;
      }
      case Decision.Await<?> await -> {
        suspend(index, await);
        return false;
      }
      case null, default -> {
        failed(slot, new IllegalStateException("onRequestBody returned " + decision
            + " (expected: Decision.proceed(), Decision.reply(...) or Decision.await(...))"));
        return false;
      }
    }
  }

  private <T> void suspend(int index, Decision.Await<T> await) {
    int ticket = wait;
    timer = loop.schedule(() -> timedOut(index, ticket), Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    body.retain(); // the stage's reference: see the class comment
    await.stage().whenComplete((result, failure) -> {
      try {
        loop.execute(() -> {
          try {
            resume(index, ticket, await, result, failure);
          } finally {
            body.release();
          }
        });
      } catch (RejectedExecutionException e) {
        body.release(); // the loop is gone, and its connections with it
        LOG.log(System.Logger.Level.DEBUG, "event loop shut down before request {0} resumed", exchange.requestId());
      }
    });
  }

  private <T> void resume(int index, int ticket, Decision.Await<T> await, T result, Throwable failure) {
    if (over || ticket != wait) {
      return; // too late: the plugin timed out, or the exchange ended
    }
    endWait();
    Resumed resumed = Resumed.of(await, exchange, result, failure);
    if (resumed.failure() != null) {
      failed(slots[index], resumed.failure());
      return;
    }
    if (apply(index, resumed.decision())) {
      walk(index + 1);
    }
  }

  private void timedOut(int index, int ticket) {
    if (over || ticket != wait) {
      return;
    }
    PluginSlot slot = slots[index];
    long millis = TimeUnit.NANOSECONDS.toMillis(slot.timeoutNanos());
    slot.failures().warn("timeout", "plugin '" + slot.name() + "' did not judge the request body within its timeout of " + millis
        + "ms on route '" + slot.routeId() + "' for request " + exchange.requestId() + " (answered PLUGIN_TIMEOUT)", null);
    slot.rejections().count(ErrorCode.PLUGIN_TIMEOUT);
    finish();
    continuation.reply(GatewayError.of(ErrorCode.PLUGIN_TIMEOUT, "The request could not be processed in time")
        .withDetails("plugin=" + slot.name() + " timed out in onRequestBody after " + millis + "ms"));
  }

  private void endWait() {
    wait++;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void finish() {
    endWait();
    over = true;
  }

  private void failed(PluginSlot slot, Throwable failure) {
    PluginChain.logFailure(slot, "onRequestBody", exchange, failure);
    finish();
    continuation.reply(PluginChain.pluginError(slot, failure.toString()));
  }
}
