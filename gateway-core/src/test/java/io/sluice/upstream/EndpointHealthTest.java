package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How probe results move endpoints in and out of what balancers pick from. */
class EndpointHealthTest {

  private static final Endpoint A = new Endpoint("http", "127.0.0.1", 9001);
  private static final Endpoint B = new Endpoint("http", "127.0.0.1", 9002);
  private static final Endpoint C = new Endpoint("http", "127.0.0.1", 9003);

  /** healthy_threshold 2, unhealthy_threshold 3. */
  private final EndpointHealth health = new EndpointHealth("users", List.of(A, B, C), 2, 3);

  @Test
  void everyEndpointStartsHealthy() {
    assertThat(health.healthy()).containsExactly(A, B, C);
    assertThat(health.available()).containsExactly(A, B, C);
    assertThat(health.isFailingOpen()).isFalse();
  }

  @Test
  void anEndpointGoesOutAfterUnhealthyThresholdFailuresInARow() {
    health.record(1, "HTTP status 503");
    health.record(1, "HTTP status 503");
    assertThat(health.healthy()).containsExactly(A, B, C);

    health.record(1, "HTTP status 503");

    assertThat(health.healthy()).containsExactly(A, C);
    assertThat(health.available()).containsExactly(A, C);
  }

  @Test
  void anEjectedEndpointIsNotAvailableButStaysHealthyAndComesBack() {
    health.eject(0, true);

    assertThat(health.available()).containsExactly(B, C);
    assertThat(health.healthy()).containsExactly(A, B, C);

    health.eject(0, false);
    assertThat(health.available()).containsExactly(A, B, C);
  }

  @Test
  void whenEveryHealthyEndpointIsEjectedTheHealthyOnesAreAvailable() {
    failThrice(2);
    health.eject(0, true);
    health.eject(1, true);

    assertThat(health.available()).as("healthy ones, ejected or not: never none").containsExactly(A, B);
    assertThat(health.isFailingOpen()).isFalse();

    health.eject(1, false);
    assertThat(health.available()).containsExactly(B);
  }

  @Test
  void aPassBetweenFailuresStartsTheCountAgain() {
    health.record(1, "timeout");
    health.record(1, "timeout");
    health.record(1, null);
    health.record(1, "timeout");
    health.record(1, "timeout");

    assertThat(health.healthy()).contains(B);
  }

  @Test
  void anUnhealthyEndpointReturnsAfterHealthyThresholdPassesInARow() {
    failThrice(1);
    health.record(1, null);
    assertThat(health.healthy()).doesNotContain(B);
    health.record(1, "refused");
    health.record(1, null);
    assertThat(health.healthy()).doesNotContain(B);

    health.record(1, null);

    assertThat(health.healthy()).containsExactly(A, B, C);
  }

  @Test
  void withNoEndpointHealthyAllAreAvailableUntilOneRecovers() {
    failThrice(0);
    failThrice(1);
    failThrice(2);

    assertThat(health.healthy()).isEmpty();
    assertThat(health.isFailingOpen()).isTrue();
    assertThat(health.available()).containsExactly(A, B, C);

    health.record(2, null);
    health.record(2, null);

    assertThat(health.isFailingOpen()).isFalse();
    assertThat(health.available()).containsExactly(C);
  }

  @Test
  void balancersPickOnlyAvailableEndpoints() {
    failThrice(1);
    UpstreamPools pools = new UpstreamPools(null, null); // no requests in flight anywhere
    for (UpstreamConfig.LoadBalancing kind : UpstreamConfig.LoadBalancing.values()) {
      LoadBalancer balancer = LoadBalancer.of(kind, health);
      Set<Endpoint> picked = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        picked.add(balancer.pick(pools));
      }
      assertThat(picked).as(kind.name()).containsExactlyInAnyOrder(A, C);
    }
  }

  private void failThrice(int index) {
    for (int i = 0; i < 3; i++) {
      health.record(index, "HTTP status 503");
    }
  }
}
