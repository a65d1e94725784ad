package io.sluice.plugin;

import io.sluice.spi.Plugin;

import io.netty.buffer.ByteBuf;
import io.sluice.spi.BodyAccess;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Outcome;
import io.sluice.spi.Response;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The compiled plugin chain of one route, in running order. Hooks that no plugin of the chain
 * overrides cost nothing: each hook walks its own array, which is empty when unused.
 */
public final class PluginChain {

  /** The chain of a route without plugins. */
  public static final PluginChain EMPTY = new PluginChain(new PluginSlot[0]);

  static final System.Logger LOG = System.getLogger(PluginChain.class.getName());

  private final PluginSlot[] all;
  private final PluginSlot[] responseHooks;
  private final PluginSlot[] completeHooks;
  private final PluginSlot[] requestBodyStreamers;
  private final PluginSlot[] requestBodyBufferers;
  private final PluginSlot[] responseBodyStreamers;
  private final PluginSlot[] requestBodyTransformers;
  private final PluginSlot[] responseBodyTransformers;
  private final long requestBodyBufferLimit;
  private final String[] names;

  PluginChain(PluginSlot[] slots) {
    this.all = slots;
    this.names = Arrays.stream(slots).map(PluginSlot::name).toArray(String[]::new);
    this.responseHooks = Arrays.stream(slots).filter(PluginSlot::hasResponseHook).toArray(PluginSlot[]::new);
    this.completeHooks = Arrays.stream(slots).filter(PluginSlot::hasCompleteHook).toArray(PluginSlot[]::new);
    this.requestBodyStreamers = withMode(slots, true, BodyAccess.Mode.STREAMED);
    this.requestBodyBufferers = withMode(slots, true, BodyAccess.Mode.BUFFERED);
    this.responseBodyStreamers = withMode(slots, false, BodyAccess.Mode.STREAMED);
    this.requestBodyTransformers = withMode(slots, true, BodyAccess.Mode.TRANSFORMED);
    this.responseBodyTransformers = withMode(slots, false, BodyAccess.Mode.TRANSFORMED);
    this.requestBodyBufferLimit = Arrays.stream(requestBodyBufferers)
        .mapToLong(slot -> slot.plugin().requestBody().maxBytes()).min().orElse(Long.MAX_VALUE);
  }

  private static PluginSlot[] withMode(PluginSlot[] slots, boolean request, BodyAccess.Mode mode) {
    return Arrays.stream(slots)
        .filter(slot -> (request ? slot.plugin().requestBody() : slot.plugin().responseBody()).mode() == mode)
        .toArray(PluginSlot[]::new);
  }

  /** The chain of {@code slot} alone: what a plugin's background request runs ({@code Decision.respondAndForward}). */
  public static PluginChain of(PluginSlot slot) {
    return new PluginChain(new PluginSlot[] {slot});
  }

  /** Whether a plugin needs the whole request body before the upstream is contacted. */
  public boolean buffersRequestBody() {
    return requestBodyBufferers.length > 0;
  }

  /** The smallest bound of the plugins that buffer the request body. */
  public long requestBodyBufferLimit() {
    return requestBodyBufferLimit;
  }

  public boolean streamsRequestBody() {
    return requestBodyStreamers.length > 0;
  }

  public boolean streamsResponseBody() {
    return responseBodyStreamers.length > 0;
  }

  /** Shows a piece of the request body to the plugins that stream it; returns the first that failed, or null. */
  public PluginSlot onRequestBodyChunk(Exchange exchange, ByteBuf chunk, boolean last) {
    return showChunk(requestBodyStreamers, true, exchange, chunk, last);
  }

  /** Shows a piece of the response body to the plugins that stream it; returns the first that failed, or null. */
  public PluginSlot onResponseBodyChunk(Exchange exchange, ByteBuf chunk, boolean last) {
    return showChunk(responseBodyStreamers, false, exchange, chunk, last);
  }

  private static PluginSlot showChunk(PluginSlot[] slots, boolean request, Exchange exchange, ByteBuf chunk, boolean last) {
    PluginSlot failed = null;
    for (PluginSlot slot : slots) {
      ByteBuffer view = chunk.nioBuffer().asReadOnlyBuffer();
      try {
        if (request) {
          slot.plugin().onRequestBodyChunk(exchange, view, last);
        } else {
          slot.plugin().onResponseBodyChunk(exchange, view, last);
        }
      } catch (RuntimeException | LinkageError e) {
        logFailure(slot, request ? "onRequestBodyChunk" : "onResponseBodyChunk", exchange, e);
        if (failed == null) {
          failed = slot;
        }
      }
    }
    return failed;
  }

  /** The plugins that judge the whole request body, in chain order. */
  PluginSlot[] requestBodyBufferers() {
    return requestBodyBufferers;
  }

  /** Whether a plugin may transform request bodies ({@code BodyAccess.transformed()}). */
  public boolean transformsRequestBody() {
    return requestBodyTransformers.length > 0;
  }

  /** Whether a plugin may transform response bodies. */
  public boolean transformsResponseBody() {
    return responseBodyTransformers.length > 0;
  }

  /**
   * The transformers that work on this request's body (those whose {@code transformsRequestBody}
   * says yes), or {@code null} when none does; one that throws is returned as {@link BodyTransformers#failed()}.
   */
  public BodyTransformers requestTransformers(Exchange exchange) {
    return BodyTransformers.select(requestBodyTransformers, true, exchange, null);
  }

  /** The transformers that work on this response's body, like {@link #requestTransformers}. */
  public BodyTransformers responseTransformers(Exchange exchange, Response response) {
    return BodyTransformers.select(responseBodyTransformers, false, exchange, response);
  }

  static GatewayError pluginError(PluginSlot slot, String detail) {
    return GatewayError.of(ErrorCode.PLUGIN_ERROR, "The request could not be processed")
        .withDetails("plugin=" + slot.name() + " failed: " + detail);
  }

  public boolean isEmpty() {
    return all.length == 0;
  }

  /** The plugins in running order. */
  public List<PluginSlot> slots() {
    return List.of(all);
  }

  /**
   * The instance of plugin {@code name} in this chain if it was created from a config equal to
   * {@code config}, else {@code null}: what a reload hands to the new instance as its previous one.
   */
  Plugin instanceFor(String name, Record config) {
    for (PluginSlot slot : all) {
      if (slot.name().equals(name)) {
        return slot.config().equals(config) ? slot.plugin() : null;
      }
    }
    return null;
  }

  /** The plugin names in order, for the access log; shared, not to be changed. */
  public String[] names() {
    return names;
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
    closeExcept(java.util.Set.of());
  }

  /** Closes every instance but those of {@code kept} (instances a newer config still uses). */
  void closeExcept(java.util.Set<Plugin> kept) {
    for (PluginSlot slot : all) {
      if (kept.contains(slot.plugin())) {
        continue;
      }
      try {
        slot.plugin().close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "plugin '" + slot.name() + "' on route '" + slot.routeId()
            + "' failed to close", e);
      }
    }
  }

  /** Logs a plugin's exception: in full the first time, then summed up while it keeps failing the same way. */
  static void logFailure(PluginSlot slot, String hook, Exchange exchange, Throwable failure) {
    slot.failures().warn(hook + " " + failure.getClass().getName(), "plugin '" + slot.name() + "' failed in " + hook
        + " on route '" + slot.routeId() + "' for request " + exchange.requestId() + ": " + failure, failure);
  }
}
