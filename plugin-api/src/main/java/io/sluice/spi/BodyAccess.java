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
 * </ul>
 *
 * @param mode how the body is seen
 * @param maxBytes for {@link Mode#BUFFERED}, the largest body accepted; otherwise 0
 */
public record BodyAccess(Mode mode, long maxBytes) {

  /** The plugin does not look at the body. */
  public static final BodyAccess NONE = new BodyAccess(Mode.NONE, 0);

  private static final BodyAccess STREAMED = new BodyAccess(Mode.STREAMED, 0);

  /** Modes of access. */
  public enum Mode { NONE, STREAMED, BUFFERED }

  public BodyAccess {
    if (mode == Mode.BUFFERED && maxBytes <= 0) {
      throw new IllegalArgumentException("a buffered body needs a bound > 0, not " + maxBytes);
    }
  }

  /** Every piece as it passes. */
  public static BodyAccess streamed() {
    return STREAMED;
  }

  /** The whole request body, at most {@code maxBytes}, before the upstream is contacted. */
  public static BodyAccess buffered(long maxBytes) {
    return new BodyAccess(Mode.BUFFERED, maxBytes);
  }
}
