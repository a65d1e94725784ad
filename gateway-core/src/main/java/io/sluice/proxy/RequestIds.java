package io.sluice.proxy;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: ULIDs (26 characters, Crockford base32, 48-bit millisecond time then 80 random
 * bits), so ids sort by time in logs. An incoming {@code X-Request-Id} is kept when it is
 * short, printable ASCII.
 */
public final class RequestIds {

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final int MAX_INCOMING_LENGTH = 128;

  private RequestIds() {}

  /** A new id. */
  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[26];
    long time = System.currentTimeMillis();
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (time & 31)];
      time >>>= 5;
    }
    long high = random.nextLong();
    long low = random.nextLong();
    for (int i = 10; i < 26; i++) {
      long bits = i < 23 ? high >>> ((i - 10) * 5) : low >>> ((i - 23) * 5);
      out[i] = ALPHABET[(int) (bits & 31)];
    }
    return new String(out);
  }

  /** The incoming id when it is acceptable, a new one otherwise. */
  public static String acceptOrNext(CharSequence incoming) {
    if (incoming == null || incoming.isEmpty() || incoming.length() > MAX_INCOMING_LENGTH) {
      return next();
    }
    for (int i = 0; i < incoming.length(); i++) {
      char c = incoming.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\\') {
        return next();
      }
    }
    return incoming.toString();
  }
}
