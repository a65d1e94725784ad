package io.sluice.grpc;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming base64 codecs gRPC-Web text bodies go through, against java.util.Base64. */
class GrpcWebBase64Test {

  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
  private final Random random = new Random(42);

  @Test
  void decodesBase64SplitAtEveryPossibleBoundary() {
    for (int length = 0; length <= 20; length++) {
      byte[] data = randomBytes(length);
      byte[] text = Base64.getEncoder().encode(data);
      for (int cut = 0; cut <= text.length; cut++) {
        assertThat(decodeInChunks(text, cut)).as("length %d cut at %d", length, cut).isEqualTo(data);
      }
    }
  }

  @Test
  void decodesBase64SplitIntoThreeAtEveryPairOfBoundaries() {
    byte[] data = randomBytes(13);
    byte[] text = Base64.getEncoder().encode(data);
    for (int first = 0; first <= text.length; first++) {
      for (int second = first; second <= text.length; second++) {
        assertThat(decodeInChunks(text, first, second)).as("cuts %d, %d", first, second).isEqualTo(data);
      }
    }
  }

  @Test
  void decodesSeveralPaddedSegmentsOneAfterAnother() {
    // Segments of 1, 2, 3 and 5 bytes: "==", "=", no padding, and "=" again, back to back.
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (int length : new int[] {1, 2, 3, 5, 1}) {
      byte[] segment = randomBytes(length);
      data.writeBytes(segment);
      text.writeBytes(Base64.getEncoder().encode(segment));
    }
    byte[] joined = text.toByteArray();
    for (int cut = 0; cut <= joined.length; cut++) {
      assertThat(decodeInChunks(joined, cut)).as("cut at %d", cut).isEqualTo(data.toByteArray());
    }
  }

  @Test
  void decodesAnUnpaddedEnd() {
    assertThat(decodeInChunks("AQI".getBytes(US_ASCII))).containsExactly(1, 2);
    assertThat(decodeInChunks("AQ".getBytes(US_ASCII))).containsExactly(1);
    assertThat(decodeInChunks("AAAAAQ".getBytes(US_ASCII))).containsExactly(0, 0, 0, 1);
  }

  @Test
  void decodesEveryByteValue() {
    byte[] data = new byte[256];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    assertThat(decodeInChunks(Base64.getEncoder().encode(data), 7, 100, 101)).isEqualTo(data);
  }

  @ParameterizedTest
  @ValueSource(strings = {"AA A", "AA\nA", "AA-_", "AA*A", "=AAA", "A=AA", "A===", "AA=A", "AAA=A===", "AAA=\u00e9"})
  void refusesWhatIsNotBase64(String text) {
    Base64StreamDecoder decoder = new Base64StreamDecoder();
    ByteBuf in = ALLOC.buffer().writeBytes(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> decoder.decode(in, ALLOC))
        .isInstanceOf(GrpcWebException.class)
        .hasMessageStartingWith("base64 body: ");
    assertThat(in.refCnt()).as("input released even when refused").isZero();
  }

  @Test
  void namesWhatAndWhereInTheMessage() {
    Base64StreamDecoder decoder = new Base64StreamDecoder();
    release(decoder.decode(ascii("AAAA"), ALLOC));
    assertThatThrownBy(() -> decoder.decode(ascii("AB\tC"), ALLOC))
        .hasMessage("base64 body: not a base64 character (0x09) at character 6");
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "AAAAA", "AA=", "AAA=A"})
  void refusesABodyThatEndsInsideAQuantum(String text) {
    Base64StreamDecoder decoder = new Base64StreamDecoder();
    release(decoder.decode(ascii(text), ALLOC));
    assertThatThrownBy(() -> decoder.finish(ALLOC))
        .isInstanceOf(GrpcWebException.class)
        .hasMessageContaining("ends inside a quantum");
  }

  @Test
  void encodesChunksSplitAtEveryPossibleBoundary() {
    for (int length = 0; length <= 20; length++) {
      byte[] data = randomBytes(length);
      String expected = Base64.getEncoder().encodeToString(data);
      for (int cut = 0; cut <= length; cut++) {
        assertThat(encodeInChunks(data, cut)).as("length %d cut at %d", length, cut).isEqualTo(expected);
      }
    }
  }

  @Test
  void encodesChunksSplitIntoThreeAtEveryPairOfBoundaries() {
    byte[] data = randomBytes(11);
    String expected = Base64.getEncoder().encodeToString(data);
    for (int first = 0; first <= data.length; first++) {
      for (int second = first; second <= data.length; second++) {
        assertThat(encodeInChunks(data, first, second)).as("cuts %d, %d", first, second).isEqualTo(expected);
      }
    }
  }

  @Test
  void holdsAtMostTwoBytesBetweenChunks() {
    Base64StreamEncoder encoder = new Base64StreamEncoder();
    assertThat(text(encoder.encode(bytes(1), false, ALLOC))).isEmpty();
    assertThat(text(encoder.encode(bytes(2), false, ALLOC))).isEmpty();
    assertThat(text(encoder.encode(bytes(3), false, ALLOC))).isEqualTo("AQID");
    assertThat(text(encoder.encode(bytes(4, 5, 6, 7), false, ALLOC))).isEqualTo("BAUG");
    assertThat(text(encoder.encode(bytes(), true, ALLOC))).isEqualTo("Bw==");
    assertThat(text(encoder.encode(bytes(), true, ALLOC))).as("nothing held after a flush").isEmpty();
  }

  @Test
  void flushingMidStreamMakesPaddedSegmentsTheDecoderReadsBack() {
    byte[] data = randomBytes(50);
    Base64StreamEncoder encoder = new Base64StreamEncoder();
    Base64StreamDecoder decoder = new Base64StreamDecoder();
    ByteArrayOutputStream decoded = new ByteArrayOutputStream();
    int[] cuts = {0, 1, 5, 6, 20, 22, 50};
    for (int i = 0; i + 1 < cuts.length; i++) {
      ByteBuf chunk = ALLOC.buffer().writeBytes(data, cuts[i], cuts[i + 1] - cuts[i]);
      ByteBuf encoded = encoder.encode(chunk, true, ALLOC);
      assertThat(encoded.readableBytes() % 4).isZero();
      decoded.writeBytes(bytesOf(decoder.decode(encoded, ALLOC)));
    }
    decoded.writeBytes(bytesOf(decoder.finish(ALLOC)));
    assertThat(decoded.toByteArray()).isEqualTo(data);
  }

  @Test
  void roundTripsLargeRandomBodiesInRandomChunks() {
    for (int round = 0; round < 20; round++) {
      byte[] data = randomBytes(random.nextInt(70_000));
      Base64StreamEncoder encoder = new Base64StreamEncoder();
      Base64StreamDecoder decoder = new Base64StreamDecoder();
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      int at = 0;
      while (at < data.length) {
        int size = Math.min(data.length - at, 1 + random.nextInt(5000));
        byte[] encoded = bytesOf(encoder.encode(ALLOC.buffer().writeBytes(data, at, size), false, ALLOC));
        text.writeBytes(encoded);
        back.writeBytes(bytesOf(decoder.decode(ALLOC.buffer().writeBytes(encoded), ALLOC)));
        at += size;
      }
      byte[] last = bytesOf(encoder.encode(ALLOC.buffer(0), true, ALLOC));
      text.writeBytes(last);
      back.writeBytes(bytesOf(decoder.decode(ALLOC.buffer().writeBytes(last), ALLOC)));
      back.writeBytes(bytesOf(decoder.finish(ALLOC)));
      assertThat(text.toString(US_ASCII)).isEqualTo(Base64.getEncoder().encodeToString(data));
      assertThat(back.toByteArray()).isEqualTo(data);
    }
  }

  private byte[] decodeInChunks(byte[] text, int... cuts) {
    Base64StreamDecoder decoder = new Base64StreamDecoder();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int cut : cuts) {
      out.writeBytes(bytesOf(decoder.decode(ALLOC.buffer().writeBytes(text, from, cut - from), ALLOC)));
      from = cut;
    }
    out.writeBytes(bytesOf(decoder.decode(ALLOC.buffer().writeBytes(text, from, text.length - from), ALLOC)));
    out.writeBytes(bytesOf(decoder.finish(ALLOC)));
    return out.toByteArray();
  }

  private String encodeInChunks(byte[] data, int... cuts) {
    Base64StreamEncoder encoder = new Base64StreamEncoder();
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int cut : cuts) {
      out.append(text(encoder.encode(ALLOC.buffer().writeBytes(data, from, cut - from), false, ALLOC)));
      from = cut;
    }
    out.append(text(encoder.encode(ALLOC.buffer().writeBytes(data, from, data.length - from), true, ALLOC)));
    return out.toString();
  }

  private byte[] randomBytes(int length) {
    byte[] data = new byte[length];
    random.nextBytes(data);
    return data;
  }

  private static ByteBuf bytes(int... values) {
    ByteBuf buf = ALLOC.buffer(values.length);
    for (int value : values) {
      buf.writeByte(value);
    }
    return buf;
  }

  private static ByteBuf ascii(String text) {
    return ALLOC.buffer().writeBytes(text.getBytes(US_ASCII));
  }

  /** The readable bytes, and the buffer released. */
  static byte[] bytesOf(ByteBuf buf) {
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  static String text(ByteBuf buf) {
    return new String(bytesOf(buf), US_ASCII);
  }

  private static void release(ByteBuf buf) {
    buf.release();
  }
}
