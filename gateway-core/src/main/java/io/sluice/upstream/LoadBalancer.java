package io.sluice.upstream;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the endpoint for one request. Implementations are shared by all event loops. They pick
 * among the endpoints {@link EndpointHealth} makes available: the healthy ones, or all of them when
 * none is.
 */
public interface LoadBalancer {

  /** The endpoint for the next request, given the calling loop's pools. */
  Endpoint pick(UpstreamPools pools);

  /**
   * The endpoint for a request whose {@code hash_on} key hashes to {@code hash} (see
   * {@link #hashOf}); balancers that do not hash ignore the hash.
   */
  default Endpoint pick(UpstreamPools pools, long hash) {
    return pick(pools);
  }

  /** The hash of a request's {@code hash_on} key, for {@link #pick(UpstreamPools, long)}. */
  static long hashOf(CharSequence key) {
    return RingHash.hash(key);
  }

  static LoadBalancer of(UpstreamConfig.LoadBalancing kind, EndpointHealth health) {
    return of(kind, health, java.util.Map.of());
  }

  /** The balancer an upstream's config asks for: its kind, its endpoint weights and its slow start. */
  static LoadBalancer of(UpstreamConfig config, EndpointHealth health, io.sluice.spi.Ticker ticker) {
    LoadBalancer balancer = of(config.loadBalancer(), health, config.endpointWeights());
    if (config.slowStart().isZero() || health.endpoints().size() == 1) {
      return balancer;
    }
    return new SlowStart(balancer, health, config.slowStart().toNanos(), ticker);
  }

  /** @param weights endpoint weights other than 1, for the balancers that weigh endpoints ({@code ring_hash}) */
  static LoadBalancer of(UpstreamConfig.LoadBalancing kind, EndpointHealth health, java.util.Map<Endpoint, Integer> weights) {
    if (health.endpoints().size() == 1) {
      Endpoint only = health.endpoints().get(0);
      return pools -> only; // health changes nothing: with none healthy it would fail open to this one
    }
    return switch (kind) {
      case ROUND_ROBIN -> weights.isEmpty() ? new RoundRobin(health) : new WeightedRoundRobin(health, weights);
      case LEAST_REQUEST -> new LeastRequest(health, weights);
      case RING_HASH -> new RingHash(health, weights);
    };
  }

  /** Each available endpoint in turn. */
  final class RoundRobin implements LoadBalancer {
    private final EndpointHealth health;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobin(EndpointHealth health) {
      this.health = health;
    }

    @Override
    public Endpoint pick(UpstreamPools pools) {
      Endpoint[] endpoints = health.available();
      return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
    }
  }

  /**
   * Power of two choices: of two distinct random available endpoints, the one with fewer requests
   * in flight from this event loop. Counting per loop keeps it lock-free; with connections spread
   * evenly over loops it approximates the global count well.
   */
  final class LeastRequest implements LoadBalancer {
    private final EndpointHealth health;
    private final java.util.Map<Endpoint, Integer> weights;

    LeastRequest(EndpointHealth health) {
      this(health, java.util.Map.of());
    }

    /** With weights, requests in flight count per unit of weight: an endpoint of weight 2 is "less loaded" with twice as many. */
    LeastRequest(EndpointHealth health, java.util.Map<Endpoint, Integer> weights) {
      this.health = health;
      this.weights = weights;
    }

    @Override
    public Endpoint pick(UpstreamPools pools) {
      Endpoint[] endpoints = health.available();
      if (endpoints.length == 1) {
        return endpoints[0];
      }
      if (!weights.isEmpty()) {
        return pickWeighted(pools, endpoints);
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int first = random.nextInt(endpoints.length);
      int second = random.nextInt(endpoints.length - 1);
      if (second >= first) {
        second++;
      }
      Endpoint a = endpoints[first];
      Endpoint b = endpoints[second];
      return pools.inFlight(b) < pools.inFlight(a) ? b : a;
    }

    /**
     * Two candidates drawn in proportion to their weights (as Envoy does), then the one with fewer
     * requests in flight per unit of weight; with nothing in flight the draw alone decides, so the
     * shares follow the weights.
     */
    private Endpoint pickWeighted(UpstreamPools pools, Endpoint[] endpoints) {
      Endpoint a = draw(endpoints);
      Endpoint b = draw(endpoints);
      long wa = weights.getOrDefault(a, 1);
      long wb = weights.getOrDefault(b, 1);
      return (long) pools.inFlight(b) * wa < (long) pools.inFlight(a) * wb ? b : a;
    }

    private Endpoint draw(Endpoint[] endpoints) {
      long total = 0;
      for (Endpoint endpoint : endpoints) {
        total += weights.getOrDefault(endpoint, 1);
      }
      long point = ThreadLocalRandom.current().nextLong(total);
      for (Endpoint endpoint : endpoints) {
        point -= weights.getOrDefault(endpoint, 1);
        if (point < 0) {
          return endpoint;
        }
      }
      return endpoints[endpoints.length - 1];
    }
  }
}
