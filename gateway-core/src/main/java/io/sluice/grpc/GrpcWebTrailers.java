package io.sluice.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;
import java.util.Map;

/**
 * The gRPC-Web trailer frame: flag byte {@code 0x80}, a four-byte big-endian length, then the
 * trailers as an HTTP/1 header block without the terminating empty line, names in lower case:
 * <pre>
 *   grpc-status: 0\r\n
 *   grpc-message: \r\n
 * </pre>
 * The spec's example separates name and value with {@code ": "}; that is what we write (every
 * client parser we know trims the value, so {@code ":"} alone would work too).
 */
final class GrpcWebTrailers {

  /** The first byte of a frame whose payload is trailers (MSB set, uncompressed). */
  static final int TRAILER_FLAG = 0x80;

  private GrpcWebTrailers() {}

  /**
   * One frame holding {@code first} then {@code second} (either may be empty). Pseudo-headers
   * are left out. The result is the caller's to release.
   */
  static ByteBuf frame(HttpHeaders first, HttpHeaders second, ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(5 + 16 * (first.size() + second.size()));
    out.writeByte(TRAILER_FLAG);
    out.writeInt(0);  // length, known once the block is written
    writeBlock(first, out);
    writeBlock(second, out);
    out.setInt(out.readerIndex() + 1, out.readableBytes() - 5);
    return out;
  }

  private static void writeBlock(HttpHeaders headers, ByteBuf out) {
    // iteratorCharSequence: no String copies of names and values that are AsciiStrings already.
    Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
    while (entries.hasNext()) {
      Map.Entry<CharSequence, CharSequence> entry = entries.next();
      CharSequence name = entry.getKey();
      if (name.length() == 0 || name.charAt(0) == ':') {
        continue;
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        out.writeByte(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      }
      out.writeByte(':').writeByte(' ');
      // Header values are Latin-1 on the wire (grpc-message is percent-encoded ASCII).
      out.writeCharSequence(entry.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1);
      out.writeByte('\r').writeByte('\n');
    }
  }
}
