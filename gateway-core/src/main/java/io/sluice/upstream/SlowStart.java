package io.sluice.upstream;

import io.sluice.config.Endpoint;
import io.sluice.spi.Ticker;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Slow start around another balancer: an endpoint that joins (comes back healthy, or is added by
 * a reload) gets a share of requests that grows linearly over the window, from
 * {@value #MIN_WEIGHT} of its full share to all of it, so that a cold endpoint (empty caches,
 * an unwarmed JIT, a fresh connection pool) is not hit with its full load at once.
 *
 * <p>Joins are seen by watching {@link EndpointHealth#available()}: an endpoint in the new array
 * that was not in the previous one has just joined. The inner balancer picks as usual; a pick of
 * a ramping endpoint is kept with probability equal to its current weight and otherwise picked
 * again (a few times at most), which keeps round-robin or least-request among the others. Outside
 * a ramp a pick costs one volatile read and one clock read more than the inner balancer's.
 */
final class SlowStart implements LoadBalancer {

  /** The share a just-joined endpoint starts with (Envoy's default {@code min_weight_percent}). */
  static final double MIN_WEIGHT = 0.1;
  private static final int MAX_PICKS = 8;

  /** The available endpoints last seen, and when each endpoint that joined since the window began joined. */
  private record State(Endpoint[] seen, Map<Endpoint, Long> joined, long lastJoin) {}

  private final LoadBalancer inner;
  private final EndpointHealth health;
  private final long windowNanos;
  private final Ticker ticker;
  private final AtomicReference<State> state;

  SlowStart(LoadBalancer inner, EndpointHealth health, long windowNanos, Ticker ticker) {
    this.inner = inner;
    this.health = health;
    this.windowNanos = windowNanos;
    this.ticker = ticker;
    this.state = new AtomicReference<>(new State(health.available(), Map.of(), ticker.nanoTime() - windowNanos));
  }

  /** Starts the ramp of {@code newcomers} now: endpoints a reload added to an upstream that already served. */
  void joined(Collection<Endpoint> newcomers) {
    long now = ticker.nanoTime();
    State current = state.get();
    Map<Endpoint, Long> joined = new HashMap<>(current.joined());
    newcomers.forEach(endpoint -> joined.put(endpoint, now));
    state.set(new State(current.seen(), Map.copyOf(joined), now));
  }

  @Override
  public Endpoint pick(UpstreamPools pools) {
    long now = ticker.nanoTime();
    State current = observe(now);
    if (now - current.lastJoin() >= windowNanos) {
      return inner.pick(pools);
    }
    Endpoint pick = null;
    for (int i = 0; i < MAX_PICKS; i++) {
      pick = inner.pick(pools);
      if (ThreadLocalRandom.current().nextDouble() < weight(current, pick, now)) {
        return pick;
      }
    }
    return pick;
  }

  /** The share of its full load {@code endpoint} takes at {@code now}: from {@link #MIN_WEIGHT} to 1. */
  private double weight(State current, Endpoint endpoint, long now) {
    Long since = current.joined().get(endpoint);
    if (since == null) {
      return 1;
    }
    long elapsed = now - since;
    return elapsed >= windowNanos ? 1 : Math.max(MIN_WEIGHT, (double) elapsed / windowNanos);
  }

  /** The current weight of {@code endpoint} (tests and the admin view). */
  double weight(Endpoint endpoint) {
    long now = ticker.nanoTime();
    return weight(observe(now), endpoint, now);
  }

  /** Notes the endpoints that joined since the available endpoints last changed. */
  private State observe(long now) {
    State current = state.get();
    Endpoint[] available = health.available();
    if (available == current.seen()) {
      return current;
    }
    Set<Endpoint> before = Set.of(current.seen());
    Map<Endpoint, Long> joined = new HashMap<>();
    current.joined().forEach((endpoint, since) -> {
      if (now - since < windowNanos) {
        joined.put(endpoint, since);
      }
    });
    long lastJoin = current.lastJoin();
    for (Endpoint endpoint : available) {
      if (!before.contains(endpoint)) {
        joined.put(endpoint, now);
        lastJoin = now;
      }
    }
    State next = new State(available, Map.copyOf(joined), lastJoin);
    // a loop that lost the race uses its own view for this pick; the winner's is the same change
    state.compareAndSet(current, next);
    return next;
  }
}
