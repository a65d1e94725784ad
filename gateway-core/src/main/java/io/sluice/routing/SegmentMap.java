package io.sluice.routing;

import java.util.Map;

/**
 * A read-only hash map from strings to values that is queried with a region of a larger
 * string ({@code path[start..end)}), so that looking up a path segment or a host suffix needs
 * no substring. Open addressing with linear probing; at most half full.
 */
final class SegmentMap<V> {

  private static final SegmentMap<?> EMPTY = new SegmentMap<>(Map.of());

  private final String[] keys;
  private final Object[] values;
  private final int mask;
  private final int shift;
  private final int size;

  private SegmentMap(Map<String, V> entries) {
    int capacity = Integer.highestOneBit(Math.max(1, entries.size()) * 4 - 1);
    keys = new String[capacity];
    values = new Object[capacity];
    mask = capacity - 1;
    shift = 32 - Integer.numberOfTrailingZeros(capacity);
    size = entries.size();
    entries.forEach((key, value) -> {
      int slot = slot(key.hashCode());
      while (keys[slot] != null) {
        slot = (slot + 1) & mask;
      }
      keys[slot] = key;
      values[slot] = value;
    });
  }

  @SuppressWarnings("unchecked")
  static <V> SegmentMap<V> of(Map<String, V> entries) {
    return entries.isEmpty() ? (SegmentMap<V>) EMPTY : new SegmentMap<>(entries);
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The value whose key equals {@code text[from..to)}, or {@code null}. */
  @SuppressWarnings("unchecked")
  V get(String text, int from, int to) {
    if (size == 0) {
      return null;
    }
    int hash = 0; // String.hashCode() of the region, computed in place
    for (int i = from; i < to; i++) {
      hash = 31 * hash + text.charAt(i);
    }
    int length = to - from;
    for (int slot = slot(hash); ; slot = (slot + 1) & mask) {
      String key = keys[slot];
      if (key == null) {
        return null;
      }
      if (key.length() == length && text.regionMatches(from, key, 0, length)) {
        return (V) values[slot];
      }
    }
  }

  /**
   * Fibonacci hashing: the top bits of hash times 2^32/phi. Route segments like svc1, svc2, ...
   * have consecutive String hashes, which masking the low bits would put in one long run of
   * neighbouring slots, making linear probing scan that run.
   */
  private int slot(int hash) {
    return (hash * 0x9E3779B9) >>> shift & mask;
  }
}
