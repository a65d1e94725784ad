package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The body pattern catches what a byte count does not: chunks reordered, duplicated, or never written. */
class BodyPatternTest {

  private static final int CHUNK = 64 * 1024;

  @Test
  void theSameBytesComeFromEveryWayOfMakingThem() throws Exception {
    byte[] body = BodyPattern.bytes(5 * CHUNK + 17);
    ByteBuf written = Unpooled.buffer();
    for (int at = 0; at < body.length; at += CHUNK) {
      BodyPattern.write(written, at, Math.min(CHUNK, body.length - at));
    }
    byte[] streamed;
    try (InputStream in = BodyPattern.stream(body.length)) {
      streamed = in.readAllBytes();
    }

    assertThat(written.array()).startsWith(body);
    assertThat(written.readableBytes()).isEqualTo(body.length);
    assertThat(streamed).isEqualTo(body);
    BodyPattern.assertIntact(body, body.length);
    written.release();
  }

  @Test
  void swappedChunksAreCaughtWhereTheFirstOneStarts() {
    byte[] body = BodyPattern.bytes(4 * CHUNK);
    byte[] second = Arrays.copyOfRange(body, CHUNK, 2 * CHUNK);
    System.arraycopy(body, 2 * CHUNK, body, CHUNK, CHUNK);
    System.arraycopy(second, 0, body, 2 * CHUNK, CHUNK);

    assertThatThrownBy(() -> BodyPattern.assertIntact(body, body.length))
        .hasMessageContaining("differs at byte " + CHUNK);
  }

  @Test
  void aDuplicatedChunkIsCaughtEvenWhenTheLengthIsRight() {
    byte[] body = BodyPattern.bytes(3 * CHUNK);
    System.arraycopy(body, 0, body, CHUNK, CHUNK); // chunk 0 again where chunk 1 belongs

    assertThatThrownBy(() -> BodyPattern.assertIntact(body, body.length))
        .hasMessageContaining("differs at byte " + CHUNK);
  }

  @Test
  void uninitialisedBytesAndAWrongLengthAreCaught() {
    assertThatThrownBy(() -> BodyPattern.assertIntact(new byte[1000], 1000)).hasMessageContaining("differs at byte");
    assertThatThrownBy(() -> BodyPattern.assertIntact(BodyPattern.bytes(999), 1000))
        .hasMessageContaining("body of 999 bytes (expected 1000");
  }

  @Test
  void aStreamedCheckCountsPastTheFirstDifference() {
    BodyPattern.Check check = new BodyPattern.Check();
    byte[] body = BodyPattern.bytes(3 * CHUNK);
    body[CHUNK + 5] ^= 1;
    for (int at = 0; at < body.length; at += 1000) {
      check.update(body, at, Math.min(1000, body.length - at));
    }

    assertThat(check.length()).isEqualTo(body.length);
    assertThat(check.verdict()).isEqualTo("differs at byte " + (CHUNK + 5));
  }
}
