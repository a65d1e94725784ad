package io.sluice.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.spi.Exchange;
import io.sluice.spi.Response;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The plugins that transform one body of one exchange ({@code BodyAccess.transformed()}), in chain
 * order, each one's output the next one's input. Made only for an exchange whose route has
 * transformers, and only when one of them wants this body: a body nobody transforms costs nothing.
 *
 * <p>Buffers: {@link #apply} takes ownership of the piece it is given and returns one the caller
 * owns. A plugin that returns its input forwards the very same buffer (no copy); anything else it
 * returns is copied into a pooled buffer at once, so the plugin may reuse its output buffer.
 */
public final class BodyTransformers {

  private static final PluginSlot[] NONE = new PluginSlot[0];

  private final PluginSlot[] slots;
  private final boolean request;
  private PluginSlot failed;

  private BodyTransformers(PluginSlot[] slots, boolean request, PluginSlot failed) {
    this.slots = slots;
    this.request = request;
    this.failed = failed;
  }

  /** Asks each candidate whether it transforms this body; {@code null} when none does. */
  static BodyTransformers select(PluginSlot[] candidates, boolean request, Exchange exchange, Response response) {
    if (candidates.length == 0) {
      return null;
    }
    PluginSlot[] chosen = new PluginSlot[candidates.length];
    int n = 0;
    for (PluginSlot slot : candidates) {
      boolean wanted;
      try {
        wanted = request
            ? slot.plugin().transformsRequestBody(exchange)
            : slot.plugin().transformsResponseBody(exchange, response);
      } catch (RuntimeException | LinkageError e) {
        PluginChain.logFailure(slot, request ? "transformsRequestBody" : "transformsResponseBody", exchange, e);
        return new BodyTransformers(NONE, request, slot);
      }
      if (wanted) {
        chosen[n++] = slot;
      }
    }
    return n == 0 ? null : new BodyTransformers(Arrays.copyOf(chosen, n), request, null);
  }

  /** The plugin that failed (in its selection or a transformation), or {@code null}. */
  public PluginSlot failed() {
    return failed;
  }

  /** The name of the hook that failed, for the error's details. */
  public String hook() {
    return request ? "transformRequestBody" : "transformResponseBody";
  }

  /**
   * Runs {@code piece} (owned by this call from now on) through every transformer. Returns what to
   * forward, owned by the caller, possibly empty; {@code null} when a transformer failed (logged,
   * {@link #failed()} names it; nothing is left to release).
   */
  public ByteBuf apply(Exchange exchange, ByteBuf piece, boolean last, ByteBufAllocator alloc) {
    ByteBuf current = piece;
    for (PluginSlot slot : slots) {
      ByteBuffer in = current.nioBuffer().asReadOnlyBuffer();
      ByteBuffer out;
      try {
        out = request
            ? slot.plugin().transformRequestBody(exchange, in, last)
            : slot.plugin().transformResponseBody(exchange, in, last);
        if (out == null) {
          throw new NullPointerException(hook() + " returned null (expected: the bytes to forward, possibly empty)");
        }
      } catch (RuntimeException | LinkageError e) {
        PluginChain.logFailure(slot, hook(), exchange, e);
        failed = slot;
        current.release();
        return null;
      }
      if (out != in) {
        ByteBuf next = out.hasRemaining() ? alloc.buffer(out.remaining()).writeBytes(out.duplicate()) : Unpooled.EMPTY_BUFFER;
        current.release();
        current = next;
      }
    }
    return current;
  }
}
