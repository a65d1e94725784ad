package io.sluice.spi;

/**
 * The head of the response about to go to the client: from the upstream, from a direct
 * route, or an error the gateway or a plugin answered with. Its status and headers may be
 * changed in {@link Plugin#onResponse}, on the exchange's event loop, before the head is sent;
 * plugins later in the chain see the changes.
 */
public interface Response {

  /** The HTTP status (as changed by plugins earlier in the chain, if they did). */
  int status();

  /**
   * Changes the status the client gets, e.g. {@code 200} to {@code 203 Non-Authoritative
   * Information} for a response a plugin rewrote. The headers and body stay; a change to
   * {@code 204} or {@code 304}, which have no body, drops the body (and its length). Call it from
   * {@link Plugin#onResponse} only.
   *
   * {@snippet :
   * if (response.status() == 200 && rewritten) {
   *   response.status(203);
   * }
   * }
   *
   * @param status a final status, 200 to 599 (an interim 1xx status cannot end a response)
   * @throws IllegalArgumentException when {@code status} is outside 200 to 599
   * @throws UnsupportedOperationException when this response's status cannot change (a
   *     WebSocket's {@code 101 Switching Protocols}, or a head already sent)
   * @since 1.1
   */
  default void status(int status) {
    throw new UnsupportedOperationException("the status of this response cannot change");
  }

  /** The response headers (mutable). */
  Headers headers();

  /** Whether the gateway (or a plugin) produced this response rather than the upstream. */
  boolean isFromGateway();

  /**
   * Sends {@code answer} to the client instead of this response: its status, headers and body.
   * The upstream's body, if any, is read and dropped (the upstream connection stays reusable), and
   * {@link Plugin#onResponseBodyChunk} is not called for it. Plugins later in the chain see the
   * replacement in their {@code onResponse} and may still change its headers.
   *
   * <p>What it is for: a cache that revalidated a stored response answers the client's request
   * with the stored response when the upstream says {@code 304 Not Modified}, or with a stale one
   * when the upstream fails ({@code stale-if-error}). Call it from {@link Plugin#onResponse} only.
   *
   * {@snippet :
   * if (response.status() == 304 && stored != null) {
   *   response.replaceWith(DirectResponse.of(200).withBytes(stored.body()));
   * }
   * }
   *
   * @throws UnsupportedOperationException when this response cannot be replaced any more (its head was sent)
   * @throws IllegalArgumentException when {@code answer}'s body is a {@link StreamedBody}, which only
   *     {@link Decision#respond} takes
   */
  default void replaceWith(DirectResponse answer) {
    throw new UnsupportedOperationException("this response cannot be replaced");
  }
}
