package io.sluice.spi;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One plugin instance in a route's chain. Instances are created per route (see
 * {@link PluginFactory#create}) when a config is loaded, and live as long as that config.
 *
 * <p><b>Threads.</b> Hooks run on the exchange's event loop and must never block: no I/O that
 * waits, no locks held for long, no {@code sleep}. Work that waits returns
 * {@link Decision#await(java.util.concurrent.CompletionStage, Decision.Resume)}, whose resume step
 * runs on the event loop again. A plugin whose factory declares {@link PluginFactory#blocking()}
 * runs {@link #onRequest} on a virtual thread instead, and may block there. One instance
 * serves many exchanges on several event loops at once: shared state must be thread-safe.
 *
 * <p><b>Time.</b> {@link #onRequest} has the plugin entry's {@code timeout} (10 s by default) to
 * decide, awaited stages and blocking calls included; after that the client gets 504
 * {@code PLUGIN_TIMEOUT} and a late decision is ignored (a blocking call is interrupted). A
 * blocking plugin runs at most {@code max_concurrent} calls at once on a route (256 by default);
 * a request beyond that gets 503 {@code PLUGIN_OVERLOADED} at once, it never waits in a queue.
 *
 * <p><b>Failures.</b> An exception from a hook (including one from making an invalid
 * {@link DirectResponse} or {@link GatewayError}), or an awaited stage that fails, answers the
 * client 500 {@code PLUGIN_ERROR} (if nothing was sent yet) and is logged with the plugin,
 * route and request id: the first time with its stack trace, and while it keeps failing the same
 * way, as one summary line per plugin, route and failure every 10 seconds.
 *
 * <p><b>Operations.</b> {@code enabled: false} and {@code enforce: false} (shadow mode: the
 * plugin's rejections are logged and counted but not applied) are handled by the gateway for
 * every plugin; a plugin does not implement them.
 *
 * {@snippet :
 * final class RequireHeader implements Plugin {
 *   private final String header;
 *   RequireHeader(String header) { this.header = header; }
 *
 *   @Override
 *   public Decision onRequest(Exchange exchange) {
 *     return exchange.requestHeaders().contains(header)
 *         ? Decision.proceed()
 *         : Decision.reply(GatewayError.of(ErrorCode.BAD_REQUEST, "Missing header " + header));
 *   }
 * }
 * }
 */
public interface Plugin extends AutoCloseable {

  /** Called when the request head arrived and the route matched, before the upstream is contacted. */
  default Decision onRequest(Exchange exchange) {
    return Decision.proceed();
  }

  /** How this plugin wants to see request bodies; {@link BodyAccess#NONE} unless overridden. */
  default BodyAccess requestBody() {
    return BodyAccess.NONE;
  }

  /**
   * With {@link BodyAccess#streamed()}: a piece of the request body as it is forwarded, then an
   * empty piece with {@code last} set; not called for requests without a body. The buffer is a
   * read-only view, valid only during the call.
   */
  default void onRequestBodyChunk(Exchange exchange, ByteBuffer chunk, boolean last) {}

  /**
   * With {@link BodyAccess#buffered(long)}: the whole request body (read-only, valid only during
   * the call), after {@link #onRequest} and before the upstream is contacted; not called for
   * requests without a body, nor on routes that answer directly. Decides
   * synchronously: {@link Decision#proceed()} or {@link Decision#reply}.
   */
  default Decision onRequestBody(Exchange exchange, ByteBuffer body) {
    return Decision.proceed();
  }

  /** How this plugin wants to see response bodies: {@link BodyAccess#NONE} or {@link BodyAccess#streamed()}. */
  default BodyAccess responseBody() {
    return BodyAccess.NONE;
  }

  /**
   * With {@link BodyAccess#streamed()}: a piece of the upstream's response body as it goes to the
   * client, then an empty piece with {@code last} set. Read-only, valid only during the call.
   */
  default void onResponseBodyChunk(Exchange exchange, ByteBuffer chunk, boolean last) {}

  /** Called with the response head before it goes to the client; may change its headers. */
  default void onResponse(Exchange exchange, Response response) {}

  /** Called exactly once per exchange that reached this plugin's route, however it ended. */
  default void onComplete(Exchange exchange, Outcome outcome) {}

  /**
   * What this instance holds now, for operators: shown with the plugin in the admin API's
   * {@code GET /admin/routes} (a circuit breaker's state, the number of keys a limiter remembers).
   * Keys are snake case; values are strings, numbers, booleans, or lists and maps of those. Called
   * on the admin listener's thread, not an event loop: it must be thread-safe and cheap, and must
   * not block. Empty by default.
   */
  default Map<String, Object> state() {
    return Map.of();
  }

  /** Releases resources when the config that created the instance is retired. */
  @Override
  default void close() {}
}
