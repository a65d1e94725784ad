package io.sluice.spi;

/**
 * The head of the response about to go to the client: from the upstream, from a direct
 * route, or an error the gateway or a plugin answered with. Headers are mutable in
 * {@link Plugin#onResponse}.
 */
public interface Response {

  /** The HTTP status. */
  int status();

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
   */
  default void replaceWith(DirectResponse answer) {
    throw new UnsupportedOperationException("this response cannot be replaced");
  }
}
