package io.sluice.plugins.cache;

import java.util.concurrent.CompletableFuture;

/**
 * What the cache knows about one exchange between its hooks: the key, what it decided in
 * {@code onRequest}, and the response body being captured. Touched on the exchange's event loop only.
 */
final class Pass {

  /** Why the cache stays out of the way, for {@code Cache-Status}'s detail; {@code null} when it takes part. */
  String bypass;
  /** An unsafe method: a success invalidates the target. */
  boolean invalidates;

  String target;
  String[] keyValues;
  /** Wall-clock time of the request, for the age of what the upstream answers (RFC 9111 section 4.2.3). */
  long requestMillis;
  /** The request had credentials (Authorization, or an identity an authentication plugin established). */
  boolean authenticated;
  /** The request said no-store. */
  boolean noStore;
  /** The client's own conditional and range fields, kept before the cache put its validators in. */
  String ifNoneMatch;
  String ifModifiedSince;
  String range;
  String ifRange;

  /** Answered from the cache (its answer carries Cache-Status already). */
  boolean served;
  /** {@code Cache-Status}'s {@code fwd} when the request goes to the upstream. */
  String forward = "miss";
  /** The stored response being revalidated, or {@code null}. */
  StoredResponse stale;
  /** Whether the request carries the stored response's validators. */
  boolean validatorsSent;
  /**
   * The coalescing flight this request leads, and its key; {@code null} when it leads none. It
   * completes with the response's body when the waiters may stream it, or with {@code null} when
   * they are to look in the store (or go upstream) instead.
   */
  CompletableFuture<FlightBody> flight;
  String flightKey;
  /** The background-refresh claim this request holds, or {@code null}. */
  String refreshKey;
  /** Its client got the stale response; the request goes on upstream in the background to refresh it. */
  boolean refreshing;
  /** Whether this request waited for another's response. */
  boolean collapsed;

  /** The response being captured for storage, or {@code null}. */
  Capture capture;
  /** The captured body as the flight's waiters stream it, until it is whole or failed; else {@code null}. */
  FlightBody streamed;

  static Pass bypassing(String why) {
    Pass pass = new Pass();
    pass.bypass = why;
    return pass;
  }

  /** A response body on its way into the store, with what its entry needs besides the bytes. */
  static final class Capture {
    final int status;
    final java.util.Map<String, String> headers;
    final long initialAge;
    final long lifetime;
    final CacheControl control;
    final String[] varyNames;
    final String[] varyValues;
    final int limit;
    /** The announced length, or -1. */
    final long expected;
    byte[] bytes;
    int length;

    Capture(int status, java.util.Map<String, String> headers, long initialAge, long lifetime, CacheControl control,
        String[] varyNames, String[] varyValues, int limit, long expected) {
      this.status = status;
      this.headers = headers;
      this.initialAge = initialAge;
      this.lifetime = lifetime;
      this.control = control;
      this.varyNames = varyNames;
      this.varyValues = varyValues;
      this.limit = limit;
      this.expected = expected;
      this.bytes = new byte[(int) (expected >= 0 ? expected : Math.min(limit, 8192))];
    }

    /** Adds a piece; false when the body turned out larger than the limit (or than announced). */
    boolean add(java.nio.ByteBuffer chunk) {
      int size = chunk.remaining();
      if ((long) length + size > limit || expected >= 0 && (long) length + size > expected) {
        return false;
      }
      if (length + size > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(limit, Math.max((long) bytes.length * 2, length + size)));
      }
      chunk.get(bytes, length, size);
      length += size;
      return true;
    }

    byte[] body() {
      return length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
    }
  }
}
