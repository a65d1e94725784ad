package io.sluice.upstream;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Picks the endpoint for one request. Implementations are shared by all event loops. */
public interface LoadBalancer {

  /** The endpoint for the next request, given the calling loop's pools. */
  Endpoint pick(UpstreamPools pools);

  static LoadBalancer of(UpstreamConfig.LoadBalancing kind, List<Endpoint> endpoints) {
    if (endpoints.size() == 1) {
      Endpoint only = endpoints.get(0);
      return pools -> only;
    }
    return switch (kind) {
      case ROUND_ROBIN -> new RoundRobin(endpoints);
      case LEAST_REQUEST -> new LeastRequest(endpoints);
    };
  }

  /** Each endpoint in turn. */
  final class RoundRobin implements LoadBalancer {
    private final Endpoint[] endpoints;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobin(List<Endpoint> endpoints) {
      this.endpoints = endpoints.toArray(Endpoint[]::new);
    }

    @Override
    public Endpoint pick(UpstreamPools pools) {
      return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
    }
  }

  /**
   * Power of two choices: of two distinct random endpoints, the one with fewer requests in
   * flight from this event loop. Counting per loop keeps it lock-free; with connections
   * spread evenly over loops it approximates the global count well.
   */
  final class LeastRequest implements LoadBalancer {
    private final Endpoint[] endpoints;

    LeastRequest(List<Endpoint> endpoints) {
      this.endpoints = endpoints.toArray(Endpoint[]::new);
    }

    @Override
    public Endpoint pick(UpstreamPools pools) {
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
