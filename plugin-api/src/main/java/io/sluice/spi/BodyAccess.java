package io.sluice.spi;

/**
 * How a plugin wants to see a body. Bodies stream through the gateway untouched unless a
 * plugin of the route asks: a route whose plugins all answer {@link #NONE} pays nothing.
 *
 * <ul>
 *   <li>{@link Mode#STREAMED}: every piece as it passes ({@link Plugin#onRequestBodyChunk},
 *       {@link Plugin#onResponseBodyChunk}); the body is not held back.
 *   <li>{@link Mode#BUFFERED} (request bodies only): the whole body, once, before the upstream is
 *       contacted ({@link Plugin#onRequestBody}); a body larger than {@code maxBytes} is refused
 *       with 413. The gateway holds the body in memory for this, so keep the bound small.
 *   <li>{@link Mode#TRANSFORMED}: every piece as it passes, and the plugin returns what is forwarded
 *       instead ({@link Plugin#transformRequestBody}, {@link Plugin#transformResponseBody}): to
 *       compress, rewrite or redact a body while it streams. The body's length is no longer known
 *       in advance: the gateway drops {@code Content-Length} and sends the body chunked (HTTP/1.1)
 *       or without a length (HTTP/2).
 * </ul>
 *
 * <p>When a route's plugins ask for several modes, a request body is seen in this order: streamed
 * observers and buffered judges see the bytes the client sent, then the transformers change
 * them, each one's output the next one's input, in chain order; the upstream gets the last one's
 * output. A response body is seen by the observers as the upstream sent it, then by the
 * transformers in chain order; the client gets the last one's output.
 *
 * @param mode how the body is seen
 * @param maxBytes for {@link Mode#BUFFERED}, the largest body accepted; otherwise 0
 */
public record BodyAccess(Mode mode, long maxBytes) {

  /** The plugin does not look at the body. */
  public static final BodyAccess NONE = new BodyAccess(Mode.NONE, 0);

  private static final BodyAccess STREAMED = new BodyAccess(Mode.STREAMED, 0);

  private static final BodyAccess TRANSFORMED = new BodyAccess(Mode.TRANSFORMED, 0);

  /** Modes of access. */
  public enum Mode {
    /** Not seen. */
    NONE,
    /** Seen as it passes, unchanged. */
    STREAMED,
    /** Seen whole before the upstream is contacted (request bodies only). */
    BUFFERED,
    /**
     * Seen as it passes, and replaced by what the plugin returns.
     *
     * @since 1.1
     */
    TRANSFORMED
  }

  public BodyAccess {
    if (mode == Mode.BUFFERED && maxBytes <= 0) {
      throw new IllegalArgumentException("a buffered body needs a bound > 0, not " + maxBytes);
    }
  }

  /** Every piece as it passes. */
  public static BodyAccess streamed() {
    return STREAMED;
  }

  /**
   * Every piece as it passes, replaced by what the plugin returns: see
   * {@link Plugin#transformRequestBody} and {@link Plugin#transformResponseBody}.
   *
   * @since 1.1
   */
  public static BodyAccess transformed() {
    return TRANSFORMED;
  }

  /** The whole request body, at most {@code maxBytes}, before the upstream is contacted. */
  public static BodyAccess buffered(long maxBytes) {
    return new BodyAccess(Mode.BUFFERED, maxBytes);
  }
}
