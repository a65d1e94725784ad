package io.sluice.plugins.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.sluice.spi.Headers;
import io.sluice.spi.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stored responses in memory, bounded by their weight in bytes (Caffeine, size-based eviction of
 * the least valuable targets). One node per target holds all its variants, so invalidation and
 * purge of a target are one removal. Thread-safe; nothing here blocks for long.
 */
final class ResponseStore {

  /** The most variants one target keeps; a new one beyond it pushes out the oldest. */
  static final int MAX_VARIANTS = 32;
  /** How long past staleness an entry with validators is kept, at least, for a cheap revalidation. */
  private static final long KEEP_FOR_REVALIDATION_SECONDS = 60;

  /** All stored variants of one target, oldest first. */
  record Node(List<StoredResponse> variants, int weight) {
    static Node of(String target, List<StoredResponse> variants) {
      long weight = 2L * target.length() + 64;
      for (StoredResponse variant : variants) {
        weight += variant.weight;
      }
      return new Node(List.copyOf(variants), (int) Math.min(Integer.MAX_VALUE, weight));
    }
  }

  /** What a lookup found: the matching entry, or null, and whether the target had other variants. */
  record Found(StoredResponse entry, boolean targetKnown) {}

  private static final Found NOTHING = new Found(null, false);

  private final Cache<String, Node> cache;
  private final Ticker ticker;

  ResponseStore(long maxBytes, Ticker ticker) {
    this.ticker = ticker;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String target, Node node) -> node.weight())
        .expireAfter(new Expiry<String, Node>() {
          @Override
          public long expireAfterCreate(String target, Node node, long now) {
            return keepNanos(node, now);
          }

          @Override
          public long expireAfterUpdate(String target, Node node, long now, long currentDuration) {
            return keepNanos(node, now);
          }

          @Override
          public long expireAfterRead(String target, Node node, long now, long currentDuration) {
            return currentDuration;
          }
        })
        .ticker(ticker::nanoTime)
        .executor(Runnable::run) // eviction work is small; doing it in place keeps the bound exact
        .build();
  }

  /** How long a node is worth keeping: until its last variant can no longer be served or cheaply revalidated. */
  private static long keepNanos(Node node, long now) {
    long longest = 0;
    for (StoredResponse entry : node.variants()) {
      long usable = entry.lifetime - entry.age(now) + Math.max(0, Math.max(entry.control.staleWhileRevalidate,
          entry.control.staleIfError));
      if (entry.hasValidators()) {
        usable += Math.max(entry.lifetime, KEEP_FOR_REVALIDATION_SECONDS);
      }
      longest = Math.max(longest, usable);
    }
    return TimeUnit.SECONDS.toNanos(Math.max(1, longest));
  }

  Found find(String target, String[] keyValues, Headers request) {
    Node node = cache.getIfPresent(target);
    if (node == null) {
      return NOTHING;
    }
    List<StoredResponse> variants = node.variants();
    for (int i = variants.size() - 1; i >= 0; i--) {
      StoredResponse entry = variants.get(i);
      if (entry.matches(keyValues, request)) {
        return new Found(entry, true);
      }
    }
    return new Found(null, true);
  }

  /**
   * Stores {@code entry}, replacing the variant it answers for. A new {@code Vary} replaces the
   * variants stored under another one: the upstream's latest word on what varies wins.
   */
  void put(String target, StoredResponse entry) {
    cache.asMap().compute(target, (key, old) -> {
      List<StoredResponse> variants = new ArrayList<>();
      if (old != null) {
        for (StoredResponse variant : old.variants()) {
          if (!variant.sameVariant(entry) && java.util.Arrays.equals(variant.varyNames, entry.varyNames)) {
            variants.add(variant);
          }
        }
      }
      variants.add(entry);
      while (variants.size() > MAX_VARIANTS) {
        variants.remove(0);
      }
      return Node.of(target, variants);
    });
  }

  /** Removes every variant of {@code target}; whether there was any. */
  boolean remove(String target) {
    return cache.asMap().remove(target) != null;
  }

  /** Removes the variants of {@code target}, or of every target starting with it; how many were removed. */
  long purge(String target, boolean prefix) {
    long removed = 0;
    if (!prefix) {
      Node node = cache.asMap().remove(target);
      return node == null ? 0 : node.variants().size();
    }
    for (String key : List.copyOf(cache.asMap().keySet())) {
      if (key.startsWith(target)) {
        Node node = cache.asMap().remove(key);
        if (node != null) {
          removed += node.variants().size();
        }
      }
    }
    return removed;
  }

  long entries() {
    long count = 0;
    for (Node node : cache.asMap().values()) {
      count += node.variants().size();
    }
    return count;
  }

  long bytes() {
    return cache.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L);
  }

  long targets() {
    return cache.estimatedSize();
  }

  Ticker ticker() {
    return ticker;
  }
}
