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
 * <p><b>Time.</b> {@link #onRequest} and {@link #onRequestBody} each have the plugin entry's
 * {@code timeout} (10 s by default) to decide, awaited stages and blocking calls included; after
 * that the client gets 504 {@code PLUGIN_TIMEOUT} and a late decision is ignored (a blocking
 * call is interrupted). A blocking plugin runs at most {@code max_concurrent} calls at once on a
 * route (256 by default); a request beyond that gets 503 {@code PLUGIN_OVERLOADED} at once, it
 * never waits in a queue.
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
   * With {@link BodyAccess#buffered(long)}: the whole request body (read-only), after
   * {@link #onRequest} and before the upstream is contacted; not called for requests without a
   * body, nor on routes that answer directly. Decides {@link Decision#proceed()},
   * {@link Decision#reply}, or {@link Decision#await(java.util.concurrent.CompletionStage, Decision.Resume)}
   * to decide later, e.g. after sending the body to an external scanner (since 1.1; a 1.0 gateway
   * takes an await here for a plugin failure); any other decision is a plugin failure.
   *
   * <p><b>The body buffer.</b> Without an await, {@code body} is valid only during the call. With
   * one, it stays valid, unchanged, until the awaited stage has completed (a client library may
   * read it on its own thread meanwhile), and then until the resume step returns; the gateway keeps
   * the bytes that long even when the plugin's timeout passed or the client went away, and frees
   * them once the stage completed. So a stage that never completes holds the body for good: give the
   * call its own timeout. Do not keep the buffer beyond that; copy what must live longer.
   *
   * <p>The plugin's {@code timeout} applies from this call to its final decision, across nested
   * awaits: then the client gets 504 {@code PLUGIN_TIMEOUT}. The resume step runs on the exchange's
   * event loop, like {@link #onRequest}'s.
   *
   * {@snippet :
   * @Override
   * public Decision onRequestBody(Exchange exchange, ByteBuffer body) {
   *   HttpRequest scan = HttpRequest.newBuilder(scanner).timeout(Duration.ofSeconds(2))
   *       .POST(BodyPublishers.ofByteArray(bytesOf(body))).build();       // or stream from body until the stage completes
   *   return Decision.await(http.sendAsync(scan, BodyHandlers.ofString()),
   *       (ex, verdict) -> verdict.statusCode() == 200 ? Decision.proceed()
   *           : Decision.reply(GatewayError.of(ErrorCode.BAD_REQUEST, "The body was refused by the scanner")));
   * }
   * }
   */
  default Decision onRequestBody(Exchange exchange, ByteBuffer body) {
    return Decision.proceed();
  }

  /**
   * With {@link BodyAccess#transformed()}: whether to transform this request's body. Asked once per
   * request with a body, on the event loop, after every plugin's {@link #onRequest} and before the
   * request goes upstream; {@code false} lets the body pass this plugin untouched (and, when no
   * transformer of the route says {@code true}, keeps its {@code Content-Length}). May change the
   * request headers (e.g. {@code Content-Encoding}). {@code true} unless overridden.
   *
   * @since 1.1
   */
  default boolean transformsRequestBody(Exchange exchange) {
    return true;
  }

  /**
   * With {@link BodyAccess#transformed()}: replaces a piece of the request body on its way to the
   * upstream. Called on the exchange's event loop for each piece, in order, then once more with an
   * empty piece and {@code last} set; not called for requests without a body, nor when
   * {@link #transformsRequestBody} said no. Returns what to forward instead, which may be empty
   * (to hold bytes back for later) or longer than the piece (at {@code last}, to emit what was held
   * back). See {@link #transformResponseBody} for the rules, which are the same.
   *
   * @since 1.1
   */
  default ByteBuffer transformRequestBody(Exchange exchange, ByteBuffer chunk, boolean last) {
    return chunk;
  }

  /** How this plugin wants to see response bodies: {@link BodyAccess#NONE}, {@link BodyAccess#streamed()} or {@link BodyAccess#transformed()}. */
  default BodyAccess responseBody() {
    return BodyAccess.NONE;
  }

  /**
   * With {@link BodyAccess#transformed()}: whether to transform this response's body. Asked after
   * every plugin's {@link #onResponse}, before the head goes to the client, for upstream responses
   * that have a body (not for {@code HEAD} requests, {@code 204} or {@code 304}, nor a replaced
   * response); {@code false} lets the body pass this plugin untouched. May change the response's
   * status and headers, e.g. set {@code Content-Encoding} when it compresses (not
   * {@link Response#replaceWith}, which belongs in {@code onResponse}). {@code true} unless overridden.
   *
   * {@snippet :
   * @Override
   * public boolean transformsResponseBody(Exchange exchange, Response response) {
   *   String accepted = exchange.requestHeaders().get("accept-encoding");
   *   if (accepted == null || !accepted.contains("gzip") || response.headers().contains("content-encoding")) {
   *     return false;
   *   }
   *   response.headers().set("content-encoding", "gzip");
   *   return true;
   * }
   * }
   *
   * @since 1.1
   */
  default boolean transformsResponseBody(Exchange exchange, Response response) {
    return true;
  }

  /**
   * With {@link BodyAccess#transformed()}: replaces a piece of the upstream's response body on its
   * way to the client. Called on the exchange's event loop for each piece, in order, then once more
   * with an empty piece and {@code last} set, unless {@link #transformsResponseBody} said no.
   *
   * <p><b>Buffers.</b> {@code chunk} is a read-only view, valid only during the call. Return
   * {@code chunk} itself to forward the piece unchanged (without a copy, whatever its position), or
   * another buffer, whose remaining bytes are forwarded: the gateway copies them before it calls
   * the plugin again, so the plugin may reuse one output buffer for every call. An empty buffer
   * forwards nothing now. {@code null} is a plugin failure.
   *
   * <p><b>Length and backpressure.</b> Once a transformer works on a body, the gateway drops
   * {@code Content-Length}: the body goes chunked to an HTTP/1.1 peer and without a length to an
   * HTTP/2 one. The response head waits until the transformers emitted their first byte (or the
   * body ended), so a transformer that fails before that still gets the client a clean 500.
   * Pieces arrive only as fast as the receiving side takes the output: the gateway does not buffer
   * behind a transformer, so what a plugin holds back between calls is its own memory to bound.
   *
   * <p><b>Failures.</b> An exception (or {@code null}) ends the exchange as a plugin failure: the
   * client gets 500 {@code PLUGIN_ERROR} when nothing of the response was sent yet, and a cut
   * connection (HTTP/1.1) or reset stream (HTTP/2) otherwise; the upstream connection is closed,
   * never reused mid-body. Several transformers run in chain order, each getting the output of
   * the one before.
   *
   * {@snippet :
   * @Override
   * public ByteBuffer transformResponseBody(Exchange exchange, ByteBuffer chunk, boolean last) {
   *   ByteBuffer upper = ByteBuffer.allocate(chunk.remaining());
   *   while (chunk.hasRemaining()) {
   *     byte b = chunk.get();
   *     upper.put(b >= 'a' && b <= 'z' ? (byte) (b - 32) : b);
   *   }
   *   return upper.flip();
   * }
   * }
   *
   * @since 1.1
   */
  default ByteBuffer transformResponseBody(Exchange exchange, ByteBuffer chunk, boolean last) {
    return chunk;
  }

  /**
   * With {@link BodyAccess#streamed()}: a piece of the upstream's response body as it goes to the
   * client, then an empty piece with {@code last} set. Read-only, valid only during the call.
   */
  default void onResponseBodyChunk(Exchange exchange, ByteBuffer chunk, boolean last) {}

  /**
   * Called with the response head before it goes to the client; may change its status
   * ({@link Response#status(int)}) and headers, or replace it.
   */
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
