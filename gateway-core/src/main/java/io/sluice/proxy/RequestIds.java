package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: ULIDs (26 characters, Crockford base32, 48-bit millisecond time then 80 random
 * bits), so ids sort by time in logs. An incoming {@code X-Request-Id} is kept only from a
 * trusted proxy ({@code server.trusted_proxies}), which assigned it for its own logs, and only
 * when it is one field of 1 to {@value #MAX_INCOMING_LENGTH} letters, digits, {@code -},
 * {@code _}, {@code .} or {@code :} (UUIDs, ULIDs, W3C trace ids, nginx's {@code $request_id}).
 * Anyone else could pick an id to collide with another request's log lines, or smuggle text into
 * logs and the upstream's own records.
 */
public final class RequestIds {

  private static final byte[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_INCOMING_LENGTH = 64;

  private RequestIds() {}

  /** A new id. */
  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] out = new byte[26];
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
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /**
   * The id of a request with these header fields: its {@code X-Request-Id} when the peer is a
   * trusted proxy and the id is acceptable (see the class comment), a new one otherwise.
   */
  public static String of(HttpHeaders headers, boolean trustedPeer) {
    if (!trustedPeer) {
      return next();
    }
    Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(ProxyHeaders.X_REQUEST_ID);
    if (!values.hasNext()) {
      return next();
    }
    CharSequence incoming = values.next();
    return !values.hasNext() && isAcceptable(incoming) ? incoming.toString() : next();
  }

  static boolean isAcceptable(CharSequence id) {
    if (id.isEmpty() || id.length() > MAX_INCOMING_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '_' || c == '.' || c == ':';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }
}
