package io.sluice.tracing;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The W3C trace context (https://www.w3.org/TR/trace-context/) of one exchange, the gateway being one hop: the trace
 * id and flags come from the client's {@code traceparent} when it is valid, otherwise a new trace starts (random
 * 16-byte trace id); either way the gateway has a span id of its own, which the upstream receives as the
 * parent id. The client's {@code tracestate} goes on unchanged when its {@code traceparent} was used, and is dropped
 * with one that was not (the spec forbids reading a {@code tracestate} without a valid {@code traceparent}).
 *
 * <p>Ids come from {@link ThreadLocalRandom}: trace ids must be unique, not secret, and this is on the request path.
 * Confined to the exchange's event loop once made; the access log reads {@link #traceId()} after the exchange ended.
 */
public final class TraceContext {

  public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");

  private static final int VERSION_00_LENGTH = 55;
  private static final byte SAMPLED = 0x01;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final long traceHigh;
  private final long traceLow;
  private final long spanId;
  private final byte flags;
  private final boolean continued;
  private String traceId;

  private TraceContext(long traceHigh, long traceLow, byte flags, boolean continued) {
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.flags = flags;
    this.continued = continued;
    long span;
    do {
      span = ThreadLocalRandom.current().nextLong();
    } while (span == 0);
    this.spanId = span;
  }

  /**
   * The context of a request with these headers: the client's trace continued when it sent exactly one valid
   * {@code traceparent}, a new trace (sampled as {@code sampledWhenNew} says) otherwise.
   */
  public static TraceContext of(HttpHeaders headers, boolean sampledWhenNew) {
    String value = headers.get(TRACEPARENT);
    if (value != null && headers.getAll(TRACEPARENT).size() == 1) { // the list only when there is one
      TraceContext continued = parse(value);
      if (continued != null) {
        return continued;
      }
    }
    return newTrace(sampledWhenNew);
  }

  /** A new trace with a random trace id. */
  public static TraceContext newTrace(boolean sampled) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    return new TraceContext(high, low, sampled ? SAMPLED : 0, false);
  }

  /**
   * The context a {@code traceparent} value continues, or {@code null} when it is invalid: version {@code 00} must be
   * exactly {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>} in lower case, with neither id all zeros; a
   * later version is read by the same layout and may carry more after a {@code -}; version {@code ff} is invalid.
   */
  static TraceContext parse(String value) {
    if (value.length() < VERSION_00_LENGTH) {
      return null;
    }
    int version = hexByte(value, 0);
    if (version < 0 || version == 0xff || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return null;
    }
    if (value.length() > VERSION_00_LENGTH && (version == 0 || value.charAt(VERSION_00_LENGTH) != '-')) {
      return null;
    }
    long high = hexLong(value, 3);
    long low = hexLong(value, 19);
    long parent = hexLong(value, 36);
    int flags = hexByte(value, 53);
    if (high == -1 && !isHex(value, 3, 16) || low == -1 && !isHex(value, 19, 16) || parent == -1 && !isHex(value, 36, 16)
        || flags < 0) {
      return null;
    }
    if (high == 0 && low == 0 || parent == 0) {
      return null;
    }
    return new TraceContext(high, low, (byte) flags, true);
  }

  /** The trace id: 32 lower-case hex digits. */
  public String traceId() {
    String id = traceId;
    if (id == null) {
      byte[] out = new byte[32];
      hex(traceHigh, out, 0);
      hex(traceLow, out, 16);
      id = traceId = new String(out, StandardCharsets.ISO_8859_1);
    }
    return id;
  }

  /** The gateway's own span id: 16 lower-case hex digits, the parent id the upstream receives. */
  public String spanId() {
    byte[] out = new byte[16];
    hex(spanId, out, 0);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** Whether the trace is the client's (its {@code traceparent} was valid), not one the gateway started. */
  public boolean continued() {
    return continued;
  }

  public boolean sampled() {
    return (flags & SAMPLED) != 0;
  }

  /** The {@code traceparent} for the upstream: version 00, this trace, the gateway's span id as the parent, the flags. */
  public AsciiString upstreamTraceparent() {
    byte[] out = new byte[VERSION_00_LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    hex(traceHigh, out, 3);
    hex(traceLow, out, 19);
    out[35] = '-';
    hex(spanId, out, 36);
    out[52] = '-';
    out[53] = HEX[flags >> 4 & 15];
    out[54] = HEX[flags & 15];
    return new AsciiString(out, false); // the header encoder copies its bytes as they are
  }

  /** Sets the upstream request's {@code traceparent}; drops a {@code tracestate} that belongs to no valid trace of the client's. */
  public void applyTo(HttpHeaders upstream) {
    upstream.set(TRACEPARENT, upstreamTraceparent());
    if (!continued) {
      upstream.remove(TRACESTATE);
    }
  }

  private static void hex(long value, byte[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 15)];
      value >>>= 4;
    }
  }

  /** 16 lower-case hex digits at {@code at} as a long; {@code -1} also when they are not hex (then check with {@link #isHex}). */
  private static long hexLong(String text, int at) {
    long value = 0;
    for (int i = at; i < at + 16; i++) {
      int digit = digit(text.charAt(i));
      if (digit < 0) {
        return -1;
      }
      value = value << 4 | digit;
    }
    return value;
  }

  private static boolean isHex(String text, int at, int length) {
    for (int i = at; i < at + length; i++) {
      if (digit(text.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Two lower-case hex digits at {@code at}, or {@code -1}. */
  private static int hexByte(String text, int at) {
    int high = digit(text.charAt(at));
    int low = digit(text.charAt(at + 1));
    return high < 0 || low < 0 ? -1 : high << 4 | low;
  }

  /** Lower-case hex only: the spec reserves upper case (a traceparent with it is invalid). */
  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
