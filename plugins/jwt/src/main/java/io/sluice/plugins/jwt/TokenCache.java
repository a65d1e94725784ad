package io.sluice.plugins.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.sluice.spi.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Tokens verified recently, keyed by the SHA-256 of the token (the token itself is not kept),
 * each dropped no later than it stops being valid. Bounded: the least useful entries go first.
 *
 * <p>Caffeine's upkeep (applying buffered reads and writes, evicting, expiring) runs on the
 * thread that triggers it, the event loop, and never in {@code ForkJoinPool.commonPool()}, its
 * default: handing it over woke a pool thread on every write and every few reads, which on a
 * one-core gateway cost two context switches each time and more CPU than the cache saved. The
 * upkeep of one call is small and bounded; reads only ever try the eviction lock.
 */
final class TokenCache {

  private final Cache<String, TokenVerifier.Verified> cache;
  private final Clock clock;

  TokenCache(int size, Clock clock, Ticker ticker) {
    this.clock = clock;
    this.cache = size == 0 ? null : Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumSize(size)
        .ticker(ticker::nanoTime)
        .expireAfter(new Expiry<String, TokenVerifier.Verified>() {
          @Override
          public long expireAfterCreate(String key, TokenVerifier.Verified value, long currentTime) {
            return TimeUnit.MILLISECONDS.toNanos(Math.max(0, value.validUntil() - clock.millis()));
          }

          @Override
          public long expireAfterUpdate(String key, TokenVerifier.Verified value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(String key, TokenVerifier.Verified value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /**
   * One digest per thread (the event loops, a few threads): looking the algorithm up among the
   * security providers for every request cost more than hashing the token.
   */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  });

  /**
   * The cache key of {@code token}: its SHA-256, so that the cache holds no usable tokens, as a
   * string of 32 Latin-1 characters (one per byte: no encoding step, compact in memory).
   */
  static String keyOf(String token) {
    byte[] digest = SHA_256.get().digest(token.getBytes(StandardCharsets.ISO_8859_1));
    return new String(digest, StandardCharsets.ISO_8859_1);
  }

  /** The verified token under {@code key}, or {@code null}. The caller still checks its validity against the clock. */
  TokenVerifier.Verified get(String key) {
    return cache == null ? null : cache.getIfPresent(key);
  }

  void put(String key, TokenVerifier.Verified verified) {
    if (cache != null && verified.validUntil() > clock.millis()) {
      cache.put(key, verified);
    }
  }

  /** How many tokens are remembered (for tests). */
  long size() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  void invalidate(String key) {
    if (cache != null) {
      cache.invalidate(key);
    }
  }
}
