package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An endpoint that comes back ramps from 10% of its share to all of it over the window; the clock is a fake. */
class SlowStartTest {

  private static final Endpoint A = new Endpoint("http", "127.0.0.1", 9001);
  private static final Endpoint B = new Endpoint("http", "127.0.0.1", 9002);
  private static final long WINDOW = Duration.ofSeconds(10).toNanos();

  private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
  /** Out after one failed probe, back after one passed probe. */
  private final EndpointHealth health = new EndpointHealth("users", List.of(A, B), 1, 1);

  private SlowStart slowStart(UpstreamConfig.LoadBalancing kind) {
    return new SlowStart(LoadBalancer.of(kind, health), health, WINDOW, clock::get);
  }

  /** B's share of 20,000 picks. */
  private static double shareOfB(LoadBalancer balancer) {
    int toB = 0;
    for (int i = 0; i < 20_000; i++) {
      if (balancer.pick(null).equals(B)) {
        toB++;
      }
    }
    return toB / 20_000.0;
  }

  @Test
  void anEndpointThatComesBackRampsUpOverTheWindow() {
    SlowStart balancer = slowStart(UpstreamConfig.LoadBalancing.ROUND_ROBIN);
    assertThat(shareOfB(balancer)).isEqualTo(0.5); // from the start: no ramp for the first endpoints

    health.record(1, "connection refused");
    assertThat(shareOfB(balancer)).isZero();
    health.record(1, null); // B is back

    assertThat(balancer.weight(B)).isEqualTo(SlowStart.MIN_WEIGHT);
    assertThat(shareOfB(balancer)).isBetween(0.06, 0.13); // weight 0.1 against A's 1
    clock.addAndGet(WINDOW / 2);
    assertThat(balancer.weight(B)).isEqualTo(0.5);
    assertThat(shareOfB(balancer)).isBetween(0.28, 0.39); // 0.5 against 1: a third
    clock.addAndGet(WINDOW / 2);
    assertThat(balancer.weight(B)).isEqualTo(1);
    assertThat(shareOfB(balancer)).isEqualTo(0.5);
  }

  @Test
  void endpointsAddedByAReloadRampToo() {
    SlowStart balancer = slowStart(UpstreamConfig.LoadBalancing.LEAST_REQUEST);
    balancer.joined(List.of(B));

    assertThat(balancer.weight(A)).isEqualTo(1);
    assertThat(balancer.weight(B)).isEqualTo(SlowStart.MIN_WEIGHT);
    clock.addAndGet(WINDOW);
    assertThat(balancer.weight(B)).isEqualTo(1);
  }
}
