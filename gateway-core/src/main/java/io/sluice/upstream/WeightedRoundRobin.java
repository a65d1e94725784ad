package io.sluice.upstream;

import io.sluice.config.Endpoint;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin with endpoint weights: each available endpoint appears in a schedule as often as its
 * weight, spread out by nginx's smooth weighted round robin (weights 5, 1, 1 give a a b a c a a,
 * not a a a a a b c), and the requests walk the schedule. The schedule is computed when the
 * available endpoints change, so a pick is a volatile read and one atomic increment, as without
 * weights.
 */
final class WeightedRoundRobin implements LoadBalancer {

  /** Longer schedules are scaled down: the shares stay, the schedule stays small. */
  static final int MAX_SCHEDULE = 4096;

  private record Schedule(Endpoint[] source, Endpoint[] order) {}

  private final EndpointHealth health;
  private final Map<Endpoint, Integer> weights;
  private final AtomicInteger next = new AtomicInteger();
  private volatile Schedule schedule;

  WeightedRoundRobin(EndpointHealth health, Map<Endpoint, Integer> weights) {
    this.health = health;
    this.weights = weights;
  }

  @Override
  public Endpoint pick(UpstreamPools pools) {
    Endpoint[] available = health.available();
    Schedule current = schedule;
    if (current == null || current.source() != available) {
      current = new Schedule(available, order(available, weights));
      schedule = current;
    }
    Endpoint[] order = current.order();
    return order[Math.floorMod(next.getAndIncrement(), order.length)];
  }

  /** The smooth weighted round-robin sequence of {@code endpoints}, one full cycle. */
  static Endpoint[] order(Endpoint[] endpoints, Map<Endpoint, Integer> weights) {
    int[] weight = new int[endpoints.length];
    long total = 0;
    for (int i = 0; i < endpoints.length; i++) {
      weight[i] = weights.getOrDefault(endpoints[i], 1);
      total += weight[i];
    }
    if (total > MAX_SCHEDULE) {
      for (int i = 0; i < weight.length; i++) {
        weight[i] = (int) Math.max(1, weight[i] * MAX_SCHEDULE / total);
      }
      total = 0;
      for (int w : weight) {
        total += w;
      }
    }
    Endpoint[] order = new Endpoint[(int) total];
    long[] current = new long[endpoints.length];
    for (int slot = 0; slot < order.length; slot++) {
      int best = 0;
      for (int i = 0; i < endpoints.length; i++) {
        current[i] += weight[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order[slot] = endpoints[best];
    }
    return order;
  }
}
