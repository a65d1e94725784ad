package io.sluice.plugins.cache;

import io.sluice.spi.DirectResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stored response, immutable: its head as the client gets it (without {@code Set-Cookie},
 * {@code Age} and per-request fields), its body, and what RFC 9111 needs to judge it: when it was
 * stored, its age then, how long it stays fresh, and the request header values it was chosen for
 * (configured key headers and {@code Vary}).
 */
final class StoredResponse {

  /** What an entry costs besides its bytes (objects, arrays, map nodes). */
  private static final int OVERHEAD = 256;

  final int status;
  /** Header fields, one value per name (repeated fields joined with ", "), in order. */
  final Map<String, String> headers;
  final byte[] body;
  /** The ticker's time when it was stored (or last revalidated). */
  final long storedAtNanos;
  /** Its age, in seconds, when it was stored (RFC 9111 section 4.2.3's corrected_initial_age). */
  final long initialAge;
  /** Freshness lifetime in seconds (RFC 9111 section 4.2.1). */
  final long lifetime;
  final CacheControl control;
  final String etag;
  final String lastModified;
  /** The configured key headers' values of the request it answered. */
  final String[] keyValues;
  /** Lower-case names in its {@code Vary}, and the request's values of them. */
  final String[] varyNames;
  final String[] varyValues;
  final int weight;

  StoredResponse(int status, Map<String, String> headers, byte[] body, long storedAtNanos, long initialAge, long lifetime,
      CacheControl control, String[] keyValues, String[] varyNames, String[] varyValues) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.storedAtNanos = storedAtNanos;
    this.initialAge = initialAge;
    this.lifetime = lifetime;
    this.control = control;
    this.etag = headers.get("etag");
    this.lastModified = headers.get("last-modified");
    this.keyValues = keyValues;
    this.varyNames = varyNames;
    this.varyValues = varyValues;
    long size = OVERHEAD + body.length;
    for (Map.Entry<String, String> field : headers.entrySet()) {
      size += 2L * (field.getKey().length() + field.getValue().length()) + 32;
    }
    for (String value : keyValues) {
      size += value == null ? 8 : 2L * value.length();
    }
    for (String value : varyValues) {
      size += value == null ? 8 : 2L * value.length();
    }
    this.weight = (int) Math.min(Integer.MAX_VALUE, size);
  }

  /** Its current age in seconds (RFC 9111 section 4.2.3): initial age plus time resident here. */
  long age(long nowNanos) {
    return initialAge + Math.max(0, nowNanos - storedAtNanos) / 1_000_000_000L;
  }

  boolean hasValidators() {
    return etag != null || lastModified != null;
  }

  /** Whether it was stored for a request with these key header and {@code Vary} values. */
  boolean matches(String[] requestKeyValues, io.sluice.spi.Headers request) {
    if (!Arrays.equals(keyValues, requestKeyValues)) {
      return false;
    }
    for (int i = 0; i < varyNames.length; i++) {
      if (!java.util.Objects.equals(varyValues[i], Keys.headerValue(request, varyNames[i]))) {
        return false;
      }
    }
    return true;
  }

  /** Whether it answers the same request variant as {@code other} (so one replaces the other). */
  boolean sameVariant(StoredResponse other) {
    return Arrays.equals(keyValues, other.keyValues) && Arrays.equals(varyNames, other.varyNames)
        && Arrays.equals(varyValues, other.varyValues);
  }

  /** The stored response as an answer: its head with {@code Age} and {@code Cache-Status}, and its body, not copied. */
  DirectResponse answer(int answerStatus, long age, String cacheStatus) {
    Map<String, String> out = new LinkedHashMap<>(headers);
    out.put("age", Long.toString(age));
    out.put("cache-status", cacheStatus);
    return new DirectResponse(answerStatus, out, "", ByteBuffer.wrap(body)); // checked once; the body is not copied
  }

  /** A 304 for a client whose conditional request matched: the fields RFC 9110 section 15.4.5 asks for. */
  DirectResponse notModified(long age, String cacheStatus) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : new String[] {"cache-control", "content-location", "date", "etag", "expires", "vary", "last-modified"}) {
      String value = headers.get(name);
      if (value != null) {
        out.put(name, value);
      }
    }
    out.put("age", Long.toString(age));
    out.put("cache-status", cacheStatus);
    return new DirectResponse(304, out, "");
  }
}
