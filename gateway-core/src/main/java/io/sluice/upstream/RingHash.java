package io.sluice.upstream;

import io.sluice.config.Endpoint;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Consistent hashing on a ring (Karger et al., as in Envoy's {@code ring_hash} and ketama): each
 * available endpoint owns points on a ring of 64-bit hashes, as many as its share of the total
 * weight; a request goes to the owner of the first point at or after its key's hash. An endpoint
 * that leaves takes only its own points with it, so only the keys that went to it move (about
 * 1/n of them), and they spread over the others.
 *
 * <p>The ring is built from {@link EndpointHealth#available()} and rebuilt only when that array
 * is replaced (a health change), so a pick is a volatile read and a binary search. Two loops that
 * see the change at once both build the same ring; either one is kept.
 */
final class RingHash implements LoadBalancer {

  /** Points per unit of weight; more points, more even shares (ketama uses 160). */
  static final int POINTS_PER_WEIGHT = 160;
  /** Bounds of the ring with all endpoints in it, whatever the weights: enough points to balance, few enough to stay small. */
  static final int MIN_RING = 1024;
  static final int MAX_RING = 1 << 16;

  private final EndpointHealth health;
  private final Map<Endpoint, Integer> weights;
  /**
   * Points per unit of weight, fixed for the upstream from its configured endpoints: an endpoint
   * keeps the same points whichever others are available, which is what keeps remapping minimal.
   */
  private final int pointsPerWeight;
  private volatile Ring ring;

  /** @param weights the weights written other than 1 (see {@link io.sluice.config.UpstreamConfig#endpointWeights}) */
  RingHash(EndpointHealth health, Map<Endpoint, Integer> weights) {
    this.health = health;
    this.weights = weights;
    long totalWeight = 0;
    for (Endpoint endpoint : health.endpoints()) {
      totalWeight += weights.getOrDefault(endpoint, 1);
    }
    long perWeight = POINTS_PER_WEIGHT;
    if (totalWeight * perWeight < MIN_RING) {
      perWeight = (MIN_RING + totalWeight - 1) / totalWeight;
    } else if (totalWeight * perWeight > MAX_RING) {
      perWeight = Math.max(1, MAX_RING / totalWeight);
    }
    this.pointsPerWeight = (int) perWeight;
  }

  /** A request without a key (its header, cookie or parameter is missing) goes to a random available endpoint. */
  @Override
  public Endpoint pick(UpstreamPools pools) {
    Endpoint[] endpoints = health.available();
    return endpoints[ThreadLocalRandom.current().nextInt(endpoints.length)];
  }

  @Override
  public Endpoint pick(UpstreamPools pools, long hash) {
    return ring().owner(hash);
  }

  /** The endpoint for {@code hash} among the endpoints available now (tests). */
  Endpoint owner(long hash) {
    return ring().owner(hash);
  }

  private Ring ring() {
    Endpoint[] available = health.available();
    Ring current = ring;
    if (current == null || current.source != available) {
      current = new Ring(available, weights, pointsPerWeight);
      ring = current;
    }
    return current;
  }

  /** The hash of a request's key (64-bit FNV-1a over its chars, then MurmurHash3's finalizer for the avalanche). */
  static long hash(CharSequence key) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The points of one set of endpoints, sorted, with the endpoint owning each. */
  private static final class Ring {
    final Endpoint[] source;
    final long[] points;
    final Endpoint[] owners;

    Ring(Endpoint[] endpoints, Map<Endpoint, Integer> weights, int pointsPerWeight) {
      this.source = endpoints;
      int[] counts = new int[endpoints.length];
      int total = 0;
      for (int i = 0; i < endpoints.length; i++) {
        counts[i] = weights.getOrDefault(endpoints[i], 1) * pointsPerWeight;
        total += counts[i];
      }
      long[][] pairs = new long[total][];
      int next = 0;
      for (int i = 0; i < endpoints.length; i++) {
        // the points depend on the endpoint alone, not on its position: the same ones in every ring it is in
        String name = endpoints[i].toString();
        for (int p = 0; p < counts[i]; p++) {
          pairs[next++] = new long[] {hash(name + "_" + p), i};
        }
      }
      Arrays.sort(pairs, (a, b) -> Long.compareUnsigned(a[0], b[0]));
      this.points = new long[total];
      this.owners = new Endpoint[total];
      for (int i = 0; i < total; i++) {
        points[i] = pairs[i][0];
        owners[i] = endpoints[(int) pairs[i][1]];
      }
    }

    /** The owner of the first point at or after {@code hash} (unsigned order), wrapping to the first. */
    Endpoint owner(long hash) {
      int low = 0;
      int high = points.length;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (Long.compareUnsigned(points[mid], hash) < 0) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return owners[low == points.length ? 0 : low];
    }
  }
}
