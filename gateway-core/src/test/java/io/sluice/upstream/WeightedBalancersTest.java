package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Endpoint weights with round robin (smooth, exact shares) and least request (weighted draws). */
class WeightedBalancersTest {

  private static final Endpoint A = new Endpoint("http", "127.0.0.1", 9001);
  private static final Endpoint B = new Endpoint("http", "127.0.0.1", 9002);
  private static final Endpoint C = new Endpoint("http", "127.0.0.1", 9003);

  /** Out after one failed probe. */
  private final EndpointHealth health = new EndpointHealth("users", List.of(A, B, C), 1, 1);
  /** No connections: every endpoint has nothing in flight. */
  private final UpstreamPools idle = new UpstreamPools(null, null);

  private Map<Endpoint, Integer> shares(LoadBalancer balancer, int picks) {
    Map<Endpoint, Integer> out = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      out.merge(balancer.pick(idle), 1, Integer::sum);
    }
    return out;
  }

  @Test
  void roundRobinSpreadsTheHeavyEndpointsTurnsOutLikeNginx() {
    LoadBalancer balancer = LoadBalancer.of(UpstreamConfig.LoadBalancing.ROUND_ROBIN, health, Map.of(A, 5));

    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 14; i++) {
      Endpoint pick = balancer.pick(idle);
      order.append(pick == A ? 'a' : pick == B ? 'b' : 'c');
    }
    assertThat(order).hasToString("aabacaa" + "aabacaa");
  }

  @Test
  void roundRobinFollowsTheAvailableEndpoints() {
    LoadBalancer balancer = LoadBalancer.of(UpstreamConfig.LoadBalancing.ROUND_ROBIN, health, Map.of(A, 3));
    health.record(0, "connection refused"); // the heavy one leaves

    assertThat(shares(balancer, 100)).containsOnlyKeys(B, C).containsEntry(B, 50);
  }

  @Test
  void leastRequestDrawsInProportionToTheWeights() {
    LoadBalancer balancer = LoadBalancer.of(UpstreamConfig.LoadBalancing.LEAST_REQUEST, health, Map.of(A, 3, B, 2));

    Map<Endpoint, Integer> shares = shares(balancer, 60_000);
    // weights 3, 2, 1: a half, a third, a sixth
    assertThat(shares.get(A)).isBetween(28_000, 32_000);
    assertThat(shares.get(B)).isBetween(18_500, 21_500);
    assertThat(shares.get(C)).isBetween(8_500, 11_500);
  }
}
