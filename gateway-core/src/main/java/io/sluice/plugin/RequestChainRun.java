package io.sluice.plugin;

import io.netty.util.concurrent.EventExecutor;
import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import java.util.concurrent.CompletionException;

/**
 * Runs the request hooks of one chain for one exchange. Synchronous decisions are walked in
 * a loop; an awaited decision, or a blocking plugin (run on a virtual thread), suspends the
 * walk, which resumes on the exchange's event loop. The outcome goes to {@link Continuation}
 * exactly once, unless the run was {@link #cancel cancelled} (the client went away).
 */
public final class RequestChainRun {

  private static final System.Logger LOG = System.getLogger(RequestChainRun.class.getName());

  /** What happens after the chain. Called on the event loop. */
  public interface Continuation {
    /** Every plugin let the request through. */
    void proceed();

    /** A plugin answered with an error. */
    void reply(GatewayError error);

    /** A plugin answered with a response. */
    void respond(DirectResponse response);
  }

  private final PluginSlot[] slots;
  private final Exchange exchange;
  private final EventExecutor loop;
  private final Continuation continuation;
  private boolean cancelled;
  private boolean suspended;

  public RequestChainRun(PluginChain chain, Exchange exchange, EventExecutor loop, Continuation continuation) {
    this.slots = chain.requestSlots();
    this.exchange = exchange;
    this.loop = loop;
    this.continuation = continuation;
  }

  /** Starts the walk. Returns {@code true} when it finished synchronously (the continuation was called). */
  public boolean start() {
    walk(0);
    return !suspended;
  }

  /** Stops a suspended run: its continuation is never called. */
  public void cancel() {
    cancelled = true;
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
        failed(slot, e);
        return;
      } finally {
        slot.requestTimer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
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
        continuation.reply(reply.error());
        return false;
      }
      case Decision.Respond respond -> {
        if (!slot.enforce()) {
          shadow(slot, "respond " + respond.response().status());
          return true;
        }
        continuation.respond(respond.response());
        return false;
      }
      case Decision.Await await -> {
        suspended = true;
        await.later().whenComplete((later, failure) -> loop.execute(() -> resume(index, later, failure)));
        return false;
      }
    }
  }

  private void resume(int index, Decision later, Throwable failure) {
    if (cancelled) {
      return;
    }
    if (failure != null) {
      failed(slots[index], failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
      return;
    }
    if (apply(index, later)) {
      walk(index + 1);
    }
  }

  private void runBlocking(int index) {
    suspended = true;
    PluginSlot slot = slots[index];
    Thread.ofVirtual().name("sluice-plugin-" + slot.name()).start(() -> {
      Decision decision = null;
      Throwable failure = null;
      long start = System.nanoTime();
      try {
        decision = slot.plugin().onRequest(exchange);
      } catch (Throwable e) {
        failure = e;
      } finally {
        slot.requestTimer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
      Decision result = decision;
      Throwable error = failure;
      loop.execute(() -> resume(index, result, error));
    });
  }

  private void shadow(PluginSlot slot, String wouldHave) {
    slot.shadowRejections().increment();
    LOG.log(System.Logger.Level.INFO, "shadow mode: plugin ''{0}'' on route ''{1}'' would have answered {2} to request {3}",
        slot.name(), slot.routeId(), wouldHave, exchange.requestId());
  }

  private void failed(PluginSlot slot, Throwable failure) {
    PluginChain.logFailure(slot, "onRequest", exchange, failure);
    continuation.reply(GatewayError.of(ErrorCode.PLUGIN_ERROR, "The request could not be processed")
        .withDetails("plugin=" + slot.name() + " failed: " + failure));
  }
}
