package io.sluice.plugins.circuitbreaker;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The breakers in use, by what they guard and their settings, each with the number of plugin
 * instances using it. Routes that send to one upstream with equal settings share its breaker; a
 * config reload finds the breaker of an unchanged entry here (the new instance is created before
 * the old one is closed), so its state carries over. Used only while configs are compiled and
 * retired, never per request, so a plain lock is fine.
 */
final class SharedBreakers {

  /** What one breaker guards ({@code upstream:users}, {@code route:api}) with which settings. */
  record Key(String guarded, CircuitBreakerConfig config) {}

  private final Map<Key, Holder> byKey = new HashMap<>();

  private static final class Holder {
    final Breaker breaker;
    int users;

    Holder(Breaker breaker) {
      this.breaker = breaker;
    }
  }

  synchronized Breaker acquire(Key key, Supplier<Breaker> create) {
    Holder holder = byKey.computeIfAbsent(key, k -> new Holder(create.get()));
    holder.users++;
    return holder.breaker;
  }

  synchronized void release(Key key) {
    Holder holder = byKey.get(key);
    if (holder != null && --holder.users == 0) {
      byKey.remove(key);
    }
  }

  synchronized int size() {
    return byKey.size();
  }
}
