package io.sluice.plugin;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs the request hooks of one chain for one exchange. Synchronous decisions are walked in
 * a loop; an awaited decision, or a blocking plugin (run on a virtual thread), suspends the
 * walk, which resumes on the exchange's event loop. The outcome goes to {@link Continuation}
 * exactly once, unless the run was {@link #cancel cancelled} (the client went away).
 *
 * <p>A suspended plugin has its timeout to decide; then the run answers {@code PLUGIN_TIMEOUT}
 * and whatever the plugin decides later is ignored: every wait has a number, and a completion
 * carrying a number that is no longer current arrives too late. A blocking plugin takes one of
 * its slot's permits for as long as its call runs (timed out or not), and without one the run
 * answers {@code PLUGIN_OVERLOADED} at once.
 */
public final class RequestChainRun {

  private static final System.Logger LOG = System.getLogger(RequestChainRun.class.getName());

  /** What happens after the chain. Called on the event loop. */
  public interface Continuation {
    /** Every plugin let the request through. */
    void proceed();

    /**
     * A plugin (or the run, for it) answered with an error. Throws {@link AnswerNotMade} when the
     * answer cannot be made into a response, before anything was sent: the run then answers
     * {@code PLUGIN_ERROR} instead.
     */
    void reply(GatewayError error);

    /** A plugin answered with a response. Throws {@link AnswerNotMade} like {@link #reply}. */
    void respond(DirectResponse response);

    /**
     * A plugin answered with a response and asked for the request to go upstream in the background,
     * seen by {@code plugin} alone ({@link Decision#respondAndForward}). Throws {@link AnswerNotMade}
     * like {@link #reply}. Unless overridden, only the answer.
     */
    default void respondAndForward(DirectResponse response, PluginSlot plugin) {
      respond(response);
    }
  }

  /** A plugin's answer could not be made into a response; nothing was sent, so another answer still can be. */
  public static final class AnswerNotMade extends RuntimeException {
    public AnswerNotMade(RuntimeException cause) {
      super(cause.toString(), cause);
    }
  }

  private final PluginSlot[] slots;
  private final OwnedExchange exchange;
  private final EventExecutor loop;
  private final Continuation continuation;
  private final String[] names;
  /**
   * Per plugin, how long it took to decide: its {@code onRequest}, and for a plugin that waited, until its decision
   * was applied on the event loop; {@code -1} for one that did not decide. Written on the event loop only.
   */
  private final long[] decidedNanos;
  /** When the plugin the run waits for was called. */
  private long waitingSince;
  /** Made when the run first waits, so that a synchronous run costs no more than its walk. */
  private Suspension suspension;

  /** What a run that waits keeps track of. Only touched on the event loop. */
  private static final class Suspension {
    boolean cancelled;
    /** The number of the current wait; bumped when it ends, so that its late completions are ignored. */
    int wait;
    /** The plugin the run waits for, and when its time to decide runs out (across its awaits). */
    int plugin = -1;
    long deadline;
    ScheduledFuture<?> timer;
    /** The virtual thread of the blocking call in progress, which the exchange is lent to. */
    Thread blockingCall;
  }

  public RequestChainRun(PluginChain chain, OwnedExchange exchange, EventExecutor loop, Continuation continuation) {
    this.slots = chain.requestSlots();
    this.names = chain.names();
    this.decidedNanos = new long[slots.length];
    java.util.Arrays.fill(decidedNanos, -1);
    this.exchange = exchange;
    this.loop = loop;
    this.continuation = continuation;
  }

  /** The names of the plugins, in order; shared, not to be changed. */
  public String[] pluginNames() {
    return names;
  }

  /**
   * How long each plugin of {@link #pluginNames()} took to decide, in nanoseconds, {@code -1} for one that did not
   * (yet). Read it on the event loop, or after the exchange ended.
   */
  public long[] decidedNanos() {
    return decidedNanos;
  }

  /** Starts the walk. Returns {@code true} when it finished synchronously (the continuation was called). */
  public boolean start() {
    walk(0);
    return suspension == null;
  }

  /** Stops a suspended run: its continuation is never called, and a blocking call in progress is interrupted. */
  public void cancel() {
    if (suspension != null) {
      suspension.cancelled = true;
      endWait(true);
    }
  }

  private void walk(int from) {
    for (int i = from; i < slots.length; i++) {
      PluginSlot slot = slots[i];
      if (slot.blocking()) {
        runBlocking(i);
        return;
      }
      Decision decision;
      long start = System.nanoTime();
      try {
        decision = slot.plugin().onRequest(exchange);
      } catch (RuntimeException | LinkageError e) {
        long spent = System.nanoTime() - start;
        slot.requestTimer().record(spent, TimeUnit.NANOSECONDS);
        decidedNanos[i] = spent;
        failed(slot, e);
        return;
      }
      long spent = System.nanoTime() - start;
      slot.requestTimer().record(spent, TimeUnit.NANOSECONDS);
      decidedNanos[i] = spent;
      waitingSince = start; // used only if the decision is to wait
      if (!apply(i, decision)) {
        return;
      }
    }
    continuation.proceed();
  }

  /** Applies one plugin's decision; {@code true} to go on with the next plugin. */
  private boolean apply(int index, Decision decision) {
    PluginSlot slot = slots[index];
    switch (decision) {
      case null -> {
        failed(slot, new NullPointerException("onRequest returned null (expected: Decision.proceed())"));
        return false;
      }
      case Decision.Proceed proceed -> {
        return true;
      }
      case Decision.Reply reply -> {
        if (!slot.enforce()) {
          shadow(slot, reply.error().code() + " " + reply.error().message());
          return true;
        }
        answer(slot, reply.error(), null, false);
        return false;
      }
      case Decision.Respond respond -> {
        if (!slot.enforce()) {
          shadow(slot, "respond " + respond.response().status());
          return true;
        }
        answer(slot, null, respond.response(), false);
        return false;
      }
      case Decision.RespondAndForward respond -> {
        if (!slot.enforce()) {
          shadow(slot, "respond " + respond.response().status());
          return true;
        }
        answer(slot, null, respond.response(), true);
        return false;
      }
      case Decision.Await<?> await -> {
        suspend(index, await);
        return false;
      }
    }
  }

  /** Hands a plugin's answer on; one that cannot be made is the plugin's failure. */
  private void answer(PluginSlot slot, GatewayError error, DirectResponse response, boolean andForward) {
    try {
      if (response != null && andForward) {
        continuation.respondAndForward(response, slot);
      } else if (response != null) {
        continuation.respond(response);
      } else {
        continuation.reply(error);
        slot.rejections().count(error.code());
      }
    } catch (AnswerNotMade e) {
      failed(slot, e.getCause());
    }
  }

  private <T> void suspend(int index, Decision.Await<T> await) {
    int ticket = beginWait(index);
    await.stage().whenComplete((result, failure) -> onLoop(() -> resume(index, ticket, await, result, failure)));
  }

  private <T> void resume(int index, int ticket, Decision.Await<T> await, T result, Throwable failure) {
    if (isStale(ticket)) {
      return; // too late: the plugin timed out, or the client went away
    }
    endWait(false);
    decidedNanos[index] = System.nanoTime() - waitingSince;
    Resumed resumed = Resumed.of(await, exchange, result, failure);
    if (resumed.failure() != null) {
      failed(slots[index], resumed.failure());
      return;
    }
    if (apply(index, resumed.decision())) {
      walk(index + 1);
    }
  }

  private void runBlocking(int index) {
    PluginSlot slot = slots[index];
    Semaphore calls = slot.blockingCalls();
    if (!calls.tryAcquire()) {
      overloaded(slot);
      return;
    }
    int ticket = beginWait(index);
    waitingSince = System.nanoTime();
    Thread call = Thread.ofVirtual().name("sluice-plugin-" + slot.name()).unstarted(() -> {
      Decision decision = null;
      Throwable failure = null;
      long start = System.nanoTime();
      try {
        decision = slot.plugin().onRequest(exchange);
      } catch (Throwable e) {
        failure = e;
      } finally {
        slot.requestTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        calls.release(); // only now: a call that timed out still runs, and still counts
      }
      Decision result = decision;
      Throwable error = failure;
      onLoop(() -> resumeBlocking(index, ticket, result, error));
    });
    suspension.blockingCall = call;
    exchange.lendTo(call);
    call.start();
  }

  private void resumeBlocking(int index, int ticket, Decision decision, Throwable failure) {
    if (isStale(ticket)) {
      return;
    }
    endWait(false);
    decidedNanos[index] = System.nanoTime() - waitingSince;
    if (failure != null) {
      failed(slots[index], failure);
      return;
    }
    if (apply(index, decision)) {
      walk(index + 1);
    }
  }

  /** Starts waiting for plugin {@code index}, with the time it has left to decide; returns the wait's number. */
  private int beginWait(int index) {
    Suspension s = suspension;
    if (s == null) {
      s = suspension = new Suspension();
    }
    if (s.plugin != index) {
      s.plugin = index;
      s.deadline = System.nanoTime() + slots[index].timeoutNanos();
    }
    int ticket = s.wait;
    s.timer = loop.schedule(() -> timedOut(index, ticket), Math.max(0, s.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    return ticket;
  }

  /** Whether a completion of wait {@code ticket} comes too late: the wait ended, or the client went away. */
  private boolean isStale(int ticket) {
    return suspension.cancelled || ticket != suspension.wait;
  }

  /** Ends the current wait, if any: its timer stops, its late completions are ignored, the exchange is the loop's again. */
  private void endWait(boolean interrupt) {
    Suspension s = suspension;
    s.wait++;
    if (s.timer != null) {
      s.timer.cancel(false);
      s.timer = null;
    }
    Thread call = s.blockingCall;
    if (call != null) {
      s.blockingCall = null;
      exchange.reclaim();
      if (interrupt) {
        call.interrupt();
      }
    }
  }

  private void timedOut(int index, int ticket) {
    if (isStale(ticket)) {
      return;
    }
    endWait(true);
    decidedNanos[index] = System.nanoTime() - waitingSince;
    PluginSlot slot = slots[index];
    long millis = TimeUnit.NANOSECONDS.toMillis(slot.timeoutNanos());
    slot.failures().warn("timeout", "plugin '" + slot.name() + "' did not decide within its timeout of " + millis
        + "ms on route '" + slot.routeId() + "' for request " + exchange.requestId() + " (answered PLUGIN_TIMEOUT)", null);
    slot.rejections().count(ErrorCode.PLUGIN_TIMEOUT);
    continuation.reply(GatewayError.of(ErrorCode.PLUGIN_TIMEOUT, "The request could not be processed in time")
        .withDetails("plugin=" + slot.name() + " timed out after " + millis + "ms"));
  }

  private void overloaded(PluginSlot slot) {
    slot.failures().warn("overloaded", "plugin '" + slot.name() + "' already runs its max_concurrent blocking calls on route '"
        + slot.routeId() + "'; request " + exchange.requestId() + " was answered PLUGIN_OVERLOADED", null);
    slot.rejections().count(ErrorCode.PLUGIN_OVERLOADED);
    continuation.reply(GatewayError.of(ErrorCode.PLUGIN_OVERLOADED, "The gateway is busy; retry later")
        .withHeader("Retry-After", "1").withDetails("plugin=" + slot.name() + " at max_concurrent"));
  }

  /** Runs {@code task} on the exchange's event loop; dropped when the loop is shut down (its connections went with it). */
  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.log(System.Logger.Level.DEBUG, "event loop shut down before request {0} resumed", exchange.requestId());
    }
  }

  private void shadow(PluginSlot slot, String wouldHave) {
    slot.shadowRejections().increment();
    LOG.log(System.Logger.Level.INFO, "shadow mode: plugin ''{0}'' on route ''{1}'' would have answered {2} to request {3}",
        slot.name(), slot.routeId(), wouldHave, exchange.requestId());
  }

  private void failed(PluginSlot slot, Throwable failure) {
    PluginChain.logFailure(slot, "onRequest", exchange, failure);
    slot.rejections().count(ErrorCode.PLUGIN_ERROR);
    continuation.reply(PluginChain.pluginError(slot, failure.toString()));
  }
}
