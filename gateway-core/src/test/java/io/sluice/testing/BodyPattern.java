package io.sluice.testing;

import io.netty.buffer.ByteBuf;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The bytes test bodies are made of, so that a test can check a body byte for byte rather than
 * count it: byte {@code p} of a body is a fixed pseudo-random function of {@code p} that repeats
 * only every 65,521 bytes (a prime, so no chunk or frame size lines up with it). A chunk that
 * arrives twice, goes missing, or comes in the wrong order shifts what follows, and the first
 * byte that differs says where. {@link TestUpstream} and {@link H2TestUpstream} send it for
 * {@code /download} and check {@code /upload} bodies against it ({@value #CHECK_HEADER}).
 *
 * <pre>{@code
 * byte[] body = BodyPattern.bytes(3 * 1024 * 1024);
 * ... POST body to /upload, GET /download?bytes=N ...
 * assertThat(response.headers().firstValue(BodyPattern.CHECK_HEADER)).hasValue(BodyPattern.INTACT);
 * BodyPattern.assertIntact(download.body(), N);
 * }</pre>
 */
public final class BodyPattern {

  /** Response header of the test upstreams' {@code /upload}: {@link #INTACT}, or where the body first differed. */
  public static final String CHECK_HEADER = "x-body-check";
  public static final String INTACT = "pattern";

  private static final int PERIOD = 65_521;
  /** Two periods, so that up to one period from any position is one contiguous slice. */
  private static final byte[] TABLE = new byte[2 * PERIOD];

  static {
    byte[] period = new byte[PERIOD];
    new SplittableRandom(0x51_1C_E0L).nextBytes(period);
    System.arraycopy(period, 0, TABLE, 0, PERIOD);
    System.arraycopy(period, 0, TABLE, PERIOD, PERIOD);
  }

  private BodyPattern() {}

  /** A body of {@code length} bytes. */
  public static byte[] bytes(int length) {
    byte[] body = new byte[length];
    for (int done = 0; done < length; ) {
      int n = Math.min(PERIOD, length - done);
      System.arraycopy(TABLE, done % PERIOD, body, done, n);
      done += n;
    }
    return body;
  }

  /** Appends the {@code length} bytes of the pattern that start at {@code position} to {@code buffer}. */
  public static void write(ByteBuf buffer, long position, int length) {
    for (int done = 0; done < length; ) {
      int n = Math.min(PERIOD, length - done);
      buffer.writeBytes(TABLE, (int) ((position + done) % PERIOD), n);
      done += n;
    }
  }

  /** {@code length} bytes of the pattern, made as they are read: for bodies too large to hold. */
  public static InputStream stream(long length) {
    return new InputStream() {
      private long position;

      @Override
      public int read() {
        if (position == length) {
          return -1;
        }
        return TABLE[(int) (position++ % PERIOD)] & 0xff;
      }

      @Override
      public int read(byte[] into, int offset, int max) {
        if (position == length) {
          return -1;
        }
        int n = (int) Math.min(Math.min(max, PERIOD), length - position);
        System.arraycopy(TABLE, (int) (position % PERIOD), into, offset, n);
        position += n;
        return n;
      }
    };
  }

  /** Fails unless {@code body} is the pattern and {@code length} bytes long, naming the first byte that differs. */
  public static void assertIntact(byte[] body, long length) {
    Check check = new Check();
    check.update(body, 0, body.length);
    check.assertIntact(length);
  }

  /** Compares a body with the pattern as it streams by, keeping nothing but the position. */
  public static final class Check {

    private long position;
    private long firstDifference = -1;

    public void update(byte[] bytes, int offset, int length) {
      int done = 0;
      while (done < length && firstDifference < 0) {
        int at = (int) (position % PERIOD);
        int n = Math.min(PERIOD, length - done);
        int mismatch = Arrays.mismatch(bytes, offset + done, offset + done + n, TABLE, at, at + n);
        if (mismatch >= 0) {
          firstDifference = position + mismatch;
        }
        position += n;
        done += n;
      }
      position += length - done; // past the first difference only the length counts
    }

    public void update(ByteBuf buffer) {
      int length = buffer.readableBytes();
      if (buffer.hasArray()) {
        update(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), length);
      } else {
        byte[] copy = new byte[length];
        buffer.getBytes(buffer.readerIndex(), copy);
        update(copy, 0, length);
      }
    }

    /** Bytes seen so far. */
    public long length() {
      return position;
    }

    /** {@link #INTACT} when every byte so far is the pattern, else where the first one differs. */
    public String verdict() {
      return firstDifference < 0 ? INTACT : "differs at byte " + firstDifference;
    }

    /** Fails unless the bytes so far are the pattern and {@code length} bytes long. */
    public void assertIntact(long length) {
      if (firstDifference >= 0 || position != length) {
        throw new AssertionError("body of " + position + " bytes (expected " + length + " bytes of the pattern): "
            + verdict());
      }
    }
  }
}
