package io.sluice.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Encodes bytes that arrive in chunks as standard padded base64. Between chunks it keeps at most
 * two bytes of an unfinished quantum, in an {@code int}; {@linkplain #encode(ByteBuf, boolean,
 * ByteBufAllocator) flushing} writes them out with padding, which a gRPC-Web client accepts in
 * the middle of a body. Not thread-safe: one per stream.
 */
final class Base64StreamEncoder {

  private static final byte[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private int carry;    // held bytes, big-endian in the low 16 bits
  private int carried;  // how many: 0 to 2

  /**
   * Encodes {@code in} after what is held. With {@code flush} the result ends on a quantum
   * boundary (padded if needed) and nothing is held; without, up to two bytes are kept for the
   * next call. Takes ownership of {@code in}; the result is the caller's to release, and may be
   * empty.
   */
  ByteBuf encode(ByteBuf in, boolean flush, ByteBufAllocator alloc) {
    try {
      int total = carried + in.readableBytes();
      int quanta = flush ? (total + 2) / 3 : total / 3;
      ByteBuf out = quanta == 0 ? Unpooled.EMPTY_BUFFER : alloc.buffer(quanta * 4);
      // forEachByte: one bounds check (and one leak-detector record) per chunk, not per byte.
      in.forEachByte(b -> {
        carry = carry << 8 | (b & 0xFF);
        if (++carried == 3) {
          writeQuantum(out, carry);
          carry = 0;
          carried = 0;
        }
        return true;
      });
      if (flush && carried > 0) {
        writePadded(out);
      }
      return out;
    } finally {
      in.release();
    }
  }

  private static void writeQuantum(ByteBuf out, int triple) {
    out.writeInt(ALPHABET[triple >>> 18 & 0x3F] << 24 | ALPHABET[triple >>> 12 & 0x3F] << 16
        | ALPHABET[triple >>> 6 & 0x3F] << 8 | ALPHABET[triple & 0x3F]);
  }

  private void writePadded(ByteBuf out) {
    int triple = carry << (carried == 1 ? 16 : 8);
    int chars = ALPHABET[triple >>> 18 & 0x3F] << 24 | ALPHABET[triple >>> 12 & 0x3F] << 16
        | (carried == 2 ? ALPHABET[triple >>> 6 & 0x3F] : '=') << 8 | '=';
    out.writeInt(chars);
    carry = 0;
    carried = 0;
  }
}
