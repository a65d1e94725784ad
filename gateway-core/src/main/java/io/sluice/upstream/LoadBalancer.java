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
      case ROUND_ROBIN -> new RoundRobin(health);
      case LEAST_REQUEST -> new LeastRequest(health);
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

    LeastRequest(EndpointHealth health) {
      this.health = health;
    }

    @Override
    public Endpoint pick(UpstreamPools pools) {
      Endpoint[] endpoints = health.available();
      if (endpoints.length == 1) {
        return endpoints[0];
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
  }
}
