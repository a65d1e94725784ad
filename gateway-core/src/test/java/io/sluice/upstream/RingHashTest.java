package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Consistent hashing: the same key keeps its endpoint, shares follow weights, and a leaving endpoint moves only its keys. */
class RingHashTest {

  private static final int KEYS = 20_000;

  private static List<Endpoint> endpoints(int n) {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Endpoint("http", "10.0.0." + (i + 1), 8080));
    }
    return out;
  }

  /** Unhealthy after one failed probe, healthy after one passed probe. */
  private static EndpointHealth health(List<Endpoint> endpoints) {
    return new EndpointHealth("users", endpoints, 1, 1);
  }

  private static Map<String, Endpoint> assign(RingHash ring) {
    Map<String, Endpoint> out = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "user-" + i;
      out.put(key, ring.owner(RingHash.hash(key)));
    }
    return out;
  }

  private static Map<Endpoint, Integer> counts(Map<String, Endpoint> assignment) {
    Map<Endpoint, Integer> out = new HashMap<>();
    assignment.values().forEach(e -> out.merge(e, 1, Integer::sum));
    return out;
  }

  @Test
  void whenAnEndpointLeavesOnlyItsKeysMoveAndTheyMoveToTheOthers() {
    List<Endpoint> endpoints = endpoints(5);
    EndpointHealth health = health(endpoints);
    RingHash ring = new RingHash(health, Map.of());
    Map<String, Endpoint> before = assign(ring);

    health.record(2, "connection refused"); // endpoint 10.0.0.3 leaves
    Map<String, Endpoint> after = assign(ring);

    Endpoint gone = endpoints.get(2);
    int moved = 0;
    for (String key : before.keySet()) {
      if (!before.get(key).equals(after.get(key))) {
        moved++;
        assertThat(before.get(key)).as("only keys of the endpoint that left move").isEqualTo(gone);
      }
    }
    assertThat(after).doesNotContainValue(gone);
    double fraction = (double) moved / KEYS;
    assertThat(fraction).as("fraction of keys moved").isBetween(0.13, 0.27); // 1/5 ideally
    // the moved keys spread over the remaining four rather than landing on one neighbour
    Map<Endpoint, Integer> receivers = new HashMap<>();
    before.forEach((key, endpoint) -> {
      if (endpoint.equals(gone)) {
        receivers.merge(after.get(key), 1, Integer::sum);
      }
    });
    assertThat(receivers).hasSize(4);

    health.record(2, null); // back: every key returns to where it was
    assertThat(assign(ring)).isEqualTo(before);
  }

  @Test
  void sharesAreEvenWithinTenPercentAndFollowWeights() {
    List<Endpoint> endpoints = endpoints(4);
    Map<Endpoint, Integer> even = counts(assign(new RingHash(health(endpoints), Map.of())));
    for (Endpoint endpoint : endpoints) {
      assertThat(even.get(endpoint)).isBetween((int) (KEYS / 4 * 0.9), (int) (KEYS / 4 * 1.1));
    }

    Map<Endpoint, Integer> weighted = counts(assign(new RingHash(health(endpoints), Map.of(endpoints.get(0), 3))));
    // weights 3, 1, 1, 1: half of the keys for the first
    assertThat(weighted.get(endpoints.get(0))).isBetween((int) (KEYS * 0.45), (int) (KEYS * 0.55));
    assertThat(weighted.get(endpoints.get(1))).isBetween((int) (KEYS / 6 * 0.85), (int) (KEYS / 6 * 1.15));
  }

  @Test
  void theSameKeyAlwaysGoesToTheSameEndpointAndRingsAgreeAcrossInstances() {
    List<Endpoint> endpoints = endpoints(3);
    // two gateways with the same config send a user to the same endpoint
    assertThat(assign(new RingHash(health(endpoints), Map.of()))).isEqualTo(assign(new RingHash(health(endpoints), Map.of())));
  }
}
