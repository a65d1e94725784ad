package io.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GrpcWebTrailersTest {

  @Test
  void writesTheSpecsExampleByteForByte() {
    HttpHeaders trailers = new DefaultHttpHeaders().add("key1", "foo").add("key2", "bar");

    byte[] frame = GrpcWebBase64Test.bytesOf(
        GrpcWebTrailers.frame(trailers, EmptyHttpHeaders.INSTANCE, PooledByteBufAllocator.DEFAULT));

    assertThat(frame).isEqualTo(bytes(new byte[] {(byte) 0x80, 0, 0, 0, 22}, "key1: foo\r\nkey2: bar\r\n"));
  }

  @Test
  void lowerCasesNamesKeepsValuesAndOrderAndLeavesOutPseudoHeaders() {
    HttpHeaders status = new DefaultHttpHeaders(false).add("Grpc-Status", "3").add(":status", "200");
    HttpHeaders trailers = new DefaultHttpHeaders()
        .add("grpc-message", "caf%C3%A9 Is Closed")
        .add("X-Trailer-Bin", "AAEC");

    byte[] frame = GrpcWebBase64Test.bytesOf(GrpcWebTrailers.frame(status, trailers, PooledByteBufAllocator.DEFAULT));

    String block = "grpc-status: 3\r\ngrpc-message: caf%C3%A9 Is Closed\r\nx-trailer-bin: AAEC\r\n";
    assertThat(frame).isEqualTo(bytes(new byte[] {(byte) 0x80, 0, 0, 0, (byte) block.length()}, block));
  }

  @Test
  void writesAnEmptyFrameForNoTrailers() {
    byte[] frame = GrpcWebBase64Test.bytesOf(GrpcWebTrailers.frame(
        EmptyHttpHeaders.INSTANCE, EmptyHttpHeaders.INSTANCE, PooledByteBufAllocator.DEFAULT));

    assertThat(frame).containsExactly(0x80, 0, 0, 0, 0);
  }

  @Test
  void writesTheLengthBigEndianForLongBlocks() {
    HttpHeaders trailers = new DefaultHttpHeaders().add("x-long", "v".repeat(70_000));

    byte[] frame = GrpcWebBase64Test.bytesOf(
        GrpcWebTrailers.frame(trailers, EmptyHttpHeaders.INSTANCE, PooledByteBufAllocator.DEFAULT));

    int length = "x-long: ".length() + 70_000 + 2;  // 70010 = 0x0001117A
    assertThat(frame.length).isEqualTo(5 + length);
    assertThat(java.util.Arrays.copyOf(frame, 5)).containsExactly(0x80, 0x00, 0x01, 0x11, 0x7A);
  }

  private static byte[] bytes(byte[] head, String block) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head);
    out.writeBytes(block.getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }
}
