package io.sluice.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Decodes standard (RFC 4648 section 4) base64 that arrives in chunks split anywhere. Between
 * chunks it keeps at most three characters of an unfinished quantum, in an {@code int}, so a
 * chunk never waits for the rest of the body.
 *
 * <p>Padding may end any quantum, not only the last: gRPC-Web text bodies may be several padded
 * base64 segments one after another ({@code "AQ==AgM="}). The body may also end without padding;
 * what is left then is decoded as if it were padded. Whitespace and the URL-safe alphabet are
 * refused. Not thread-safe: one per stream.
 */
final class Base64StreamDecoder {

  private static final byte INVALID = -1;
  private static final byte PAD = -2;
  private static final byte[] VALUES = new byte[256];

  static {
    java.util.Arrays.fill(VALUES, INVALID);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
    VALUES['='] = PAD;
  }

  private int bits;      // the symbols of the unfinished quantum, six bits each
  private int symbols;   // how many symbols (padding included) are in bits: 0 to 3
  private int pads;      // how many of them are '='
  private long offset;   // characters seen so far, for error messages

  /**
   * Decodes one chunk. Takes ownership of {@code in} (released even when it throws); the result
   * is the caller's to release, and may be empty.
   *
   * @throws GrpcWebException if the chunk holds something that is not base64
   */
  ByteBuf decode(ByteBuf in, ByteBufAllocator alloc) {
    ByteBuf out = null;
    try {
      int start = in.readerIndex();
      int end = in.writerIndex();
      int capacity = (symbols + end - start) / 4 * 3;
      if (capacity == 0) {
        consume(in, start, end, Unpooled.EMPTY_BUFFER);
        return Unpooled.EMPTY_BUFFER;
      }
      out = alloc.buffer(capacity);
      consume(in, start, end, out);
      return out;
    } catch (GrpcWebException e) {
      if (out != null) {
        out.release();
      }
      throw e;
    } finally {
      in.release();
    }
  }

  /**
   * Ends the body: decodes an unpadded last quantum of two or three characters. The result is
   * the caller's to release, and may be empty.
   *
   * @throws GrpcWebException if the body ended inside a quantum that cannot be completed
   */
  ByteBuf finish(ByteBufAllocator alloc) {
    int held = symbols;
    int heldPads = pads;
    int value = bits;
    symbols = 0;
    pads = 0;
    bits = 0;
    if (held == 0) {
      return Unpooled.EMPTY_BUFFER;
    }
    if (held == 1 || heldPads > 0) {
      throw new GrpcWebException("base64 body ends inside a quantum at character " + offset);
    }
    ByteBuf out = alloc.buffer(held - 1);
    if (held == 2) {
      out.writeByte(value >> 4);
    } else {
      out.writeShort(value >> 2);
    }
    return out;
  }

  // Only writes to out when a quantum completes, and capacity was computed so that it fits.
  // forEachByte: one bounds check (and one leak-detector record) per chunk, not per byte.
  private void consume(ByteBuf in, int start, int end, ByteBuf out) {
    in.forEachByte(start, end - start, b -> {
      int c = b & 0xFF;
      byte value = VALUES[c];
      if (value >= 0) {
        if (pads > 0) {
          throw invalid("data after padding", c);
        }
        bits = bits << 6 | value;
      } else if (value == PAD && symbols >= 2) {
        pads++;
        bits <<= 6;
      } else {
        throw invalid(value == PAD ? "padding too early in a quantum" : "not a base64 character", c);
      }
      offset++;
      if (++symbols == 4) {
        writeQuantum(out);
      }
      return true;
    });
  }

  private void writeQuantum(ByteBuf out) {
    switch (pads) {
      case 0 -> out.writeMedium(bits);
      case 1 -> out.writeShort(bits >> 8);
      default -> out.writeByte(bits >> 16);
    }
    bits = 0;
    symbols = 0;
    pads = 0;
  }

  private GrpcWebException invalid(String what, int c) {
    String shown = c >= 0x21 && c <= 0x7E ? "'" + (char) c + "'" : String.format("0x%02X", c);
    return new GrpcWebException("base64 body: " + what + " (" + shown + ") at character " + offset);
  }
}
