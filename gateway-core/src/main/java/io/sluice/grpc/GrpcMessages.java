package io.sluice.grpc;

import java.nio.charset.StandardCharsets;

/** The {@code grpc-message} header's encoding. */
public final class GrpcMessages {

  private GrpcMessages() {}

  /**
   * gRPC's percent-encoding of {@code grpc-message}: printable ASCII except '%' stays as it is,
   * everything else is its UTF-8 bytes as {@code %XX}, so any status message survives HTTP/2 headers.
   */
  public static String percentEncode(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c >= 0x20 && c <= 0x7E && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }
}
