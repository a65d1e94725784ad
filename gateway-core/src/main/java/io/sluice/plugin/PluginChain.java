package io.sluice.plugin;

import io.sluice.spi.Exchange;
import io.sluice.spi.Outcome;
import io.sluice.spi.Response;
import java.util.Arrays;
import java.util.List;

/**
 * The compiled plugin chain of one route, in running order. Hooks that no plugin of the chain
 * overrides cost nothing: each hook walks its own array, which is empty when unused.
 */
public final class PluginChain {

  /** The chain of a route without plugins. */
  public static final PluginChain EMPTY = new PluginChain(new PluginSlot[0]);

  private static final System.Logger LOG = System.getLogger(PluginChain.class.getName());

  private final PluginSlot[] all;
  private final PluginSlot[] responseHooks;
  private final PluginSlot[] completeHooks;

  PluginChain(PluginSlot[] slots) {
    this.all = slots;
    this.responseHooks = Arrays.stream(slots).filter(PluginSlot::hasResponseHook).toArray(PluginSlot[]::new);
    this.completeHooks = Arrays.stream(slots).filter(PluginSlot::hasCompleteHook).toArray(PluginSlot[]::new);
  }

  public boolean isEmpty() {
    return all.length == 0;
  }

  /** The plugins in running order. */
  public List<PluginSlot> slots() {
    return List.of(all);
  }

  PluginSlot[] requestSlots() {
    return all;
  }

  /**
   * Runs every response hook. A hook that throws is logged; the first such plugin is returned
   * so the caller can answer 500 when the response has not started, {@code null} when all succeeded.
   */
  public PluginSlot onResponse(Exchange exchange, Response response) {
    PluginSlot failed = null;
    for (PluginSlot slot : responseHooks) {
      try {
        slot.plugin().onResponse(exchange, response);
      } catch (RuntimeException | LinkageError e) {
        logFailure(slot, "onResponse", exchange, e);
        if (failed == null) {
          failed = slot;
        }
      }
    }
    return failed;
  }

  /** Runs every completion hook; failures are logged and do not stop the others. */
  public void onComplete(Exchange exchange, Outcome outcome) {
    for (PluginSlot slot : completeHooks) {
      try {
        slot.plugin().onComplete(exchange, outcome);
      } catch (RuntimeException | LinkageError e) {
        logFailure(slot, "onComplete", exchange, e);
      }
    }
  }

  /** Closes every instance (when the config that created them is retired). */
  public void close() {
    for (PluginSlot slot : all) {
      try {
        slot.plugin().close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "plugin '" + slot.name() + "' on route '" + slot.routeId()
            + "' failed to close", e);
      }
    }
  }

  static void logFailure(PluginSlot slot, String hook, Exchange exchange, Throwable failure) {
    LOG.log(System.Logger.Level.WARNING, "plugin '" + slot.name() + "' failed in " + hook + " on route '"
        + slot.routeId() + "' for request " + exchange.requestId() + ": " + failure, failure);
  }
}
