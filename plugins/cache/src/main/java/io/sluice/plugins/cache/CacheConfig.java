package io.sluice.plugins.cache;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code cache} plugin's YAML. See {@code docs/plugins/cache.md}.
 *
 * {@snippet lang=yaml :
 * - cache:
 *     max_bytes: 256MiB
 *     max_object_bytes: 8MiB
 *     default_ttl: none
 *     key:
 *       query: { exclude: [utm_source, utm_medium] }
 *       headers: [accept-language]
 *     store: local
 * }
 *
 * @param maxBytes how much memory stored responses may take, headers included ({@code 256MiB} by default)
 * @param maxObjectBytes the largest response stored; larger ones are streamed through ({@code 8MiB}
 *     by default, or {@code max_bytes} when that is smaller)
 * @param defaultTtl how long a response without freshness information (no {@code max-age}, {@code s-maxage} or
 *     {@code Expires}) stays fresh, for the status codes RFC 9110 calls heuristically cacheable; {@code none}
 *     (the default): such responses are not stored
 * @param key what besides scheme, host and path tells stored responses apart
 * @param store where responses are kept: {@code local} (this process's memory), or {@code redis} (that, and a
 *     second tier in Redis shared by every instance)
 * @param coalesceWait how long a request waits for a concurrent identical request's response before it goes to the
 *     upstream itself ({@code 5s} by default)
 */
public record CacheConfig(
    String maxBytes,
    String maxObjectBytes,
    String defaultTtl,
    Key key,
    Store store,
    Duration coalesceWait) {

  /** Where responses are kept. */
  public enum Store {
    /** In this gateway process's memory. */
    LOCAL,
    /**
     * This process's memory first, then a Redis second tier shared by every instance (the
     * top-level {@code redis:} section).
     */
    REDIS
  }

  /**
   * The parts of the request that tell stored responses apart, beyond scheme, host and path.
   *
   * @param query which query parameters count; all of them (sorted by name) by default
   * @param headers request headers that count, by name (case-insensitive)
   */
  public record Key(Query query, List<String> headers) {
    public Key {
      query = query == null ? new Query(List.of(), List.of()) : query;
      headers = headers == null ? List.of() : headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).distinct().toList();
      for (String header : headers) {
        if (!io.sluice.spi.Headers.isValidName(header)) {
          throw new IllegalArgumentException("key.headers: '" + header + "' is not a header name (expected: a token such as"
              + " accept-language)");
        }
      }
    }
  }

  /**
   * Which query parameters are part of the key: with {@code include}, only those; with
   * {@code exclude}, all but those; with neither, all.
   *
   * @param include the parameters that count
   * @param exclude the parameters that do not count
   */
  public record Query(List<String> include, List<String> exclude) {
    public Query {
      include = include == null ? List.of() : List.copyOf(include);
      exclude = exclude == null ? List.of() : List.copyOf(exclude);
      if (!include.isEmpty() && !exclude.isEmpty()) {
        throw new IllegalArgumentException("key.query: both include and exclude are set (expected: one of them)");
      }
    }
  }

  public CacheConfig {
    maxBytes = maxBytes == null ? "256MiB" : maxBytes.strip();
    if (maxObjectBytes == null) { // 8MiB, or all of a smaller max_bytes
      maxObjectBytes = Amounts.bytes("max_bytes", maxBytes) < 8L << 20 ? maxBytes : "8MiB";
    }
    maxObjectBytes = maxObjectBytes.strip();
    defaultTtl = defaultTtl == null ? "none" : defaultTtl.strip();
    key = key == null ? new Key(null, null) : key;
    store = store == null ? Store.LOCAL : store;
    coalesceWait = coalesceWait == null ? Duration.ofSeconds(5) : coalesceWait;
    long total = Amounts.bytes("max_bytes", maxBytes);
    long object = Amounts.bytes("max_object_bytes", maxObjectBytes);
    if (total < 1024) {
      throw new IllegalArgumentException("max_bytes: " + maxBytes + " (expected: at least 1KiB)");
    }
    if (object < 1 || object > total) {
      throw new IllegalArgumentException("max_object_bytes: " + maxObjectBytes + " (expected: 1 byte up to max_bytes, "
          + maxBytes + ")");
    }
    if (object > Integer.MAX_VALUE - 1024 * 1024) {
      throw new IllegalArgumentException("max_object_bytes: " + maxObjectBytes + " (expected: less than 2GiB)");
    }
    Amounts.ttl("default_ttl", defaultTtl);
    if (coalesceWait.isNegative() || coalesceWait.toMinutes() > 1) {
      throw new IllegalArgumentException("coalesce_wait: " + coalesceWait + " (expected: 0s..1m)");
    }
  }

  /** {@link #maxBytes} in bytes. */
  long maxByteCount() {
    return Amounts.bytes("max_bytes", maxBytes);
  }

  /** {@link #maxObjectBytes} in bytes. */
  int maxObjectByteCount() {
    return (int) Amounts.bytes("max_object_bytes", maxObjectBytes);
  }

  /** {@link #defaultTtl} in seconds, or -1 for none. */
  long defaultTtlSeconds() {
    return Amounts.ttl("default_ttl", defaultTtl);
  }
}
