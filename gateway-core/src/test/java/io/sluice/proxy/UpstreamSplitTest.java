package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A route that splits its requests between two real upstreams by weight, with a header override. */
class UpstreamSplitTest {

  static TestUpstream stable;
  static TestUpstream canary;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    stable = new TestUpstream();
    canary = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          stable: { endpoints: [ "http://127.0.0.1:${STABLE}" ] }
          canary: { endpoints: [ "http://127.0.0.1:${CANARY}" ] }
        routes:
          - id: split
            match: { path: /split/** }
            upstreams:
              - { upstream: stable, weight: 90 }
              - { upstream: canary, weight: 10, headers: { x-canary: "1" } }
          - id: dark
            match: { path: /dark/** }
            upstreams:
              - { upstream: stable, weight: 1 }
              - { upstream: canary, weight: 0, headers: { x-beta-tester: { present: true } } }
        """, Map.of("STABLE", String.valueOf(stable.port()), "CANARY", String.valueOf(canary.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    stable.close();
    canary.close();
  }

  @Test
  void requestsAreSplitByWeightWithinTolerance() throws Exception {
    int requests = 1000;
    for (int i = 0; i < requests; i++) {
      assertThat(gateway.send("GET", "/split/weighted").statusCode()).isEqualTo(200);
    }

    long toCanary = canary.requestsFor("/split/weighted");
    long toStable = stable.requestsFor("/split/weighted");
    assertThat(toCanary + toStable).isEqualTo(requests);
    // 10% of 1000 is 100, with a standard deviation of about 9.5: four of them either way
    assertThat(toCanary).isBetween(62L, 138L);
  }

  @Test
  void theOverrideHeaderSendsEveryRequestToItsUpstream() throws Exception {
    for (int i = 0; i < 30; i++) {
      assertThat(gateway.send("GET", "/split/override", "x-canary", "1").statusCode()).isEqualTo(200);
      assertThat(gateway.send("GET", "/split/other-value", "x-canary", "2").statusCode()).isEqualTo(200);
    }

    assertThat(canary.requestsFor("/split/override")).isEqualTo(30);
    assertThat(stable.requestsFor("/split/override")).isZero();
    assertThat(stable.requestsFor("/split/other-value")).isGreaterThan(10); // no override: the weights decide
  }

  @Test
  void anUpstreamOfWeightZeroGetsOnlyWhatItsOverrideSends() throws Exception {
    for (int i = 0; i < 50; i++) {
      gateway.send("GET", "/dark/page");
    }
    gateway.send("GET", "/dark/beta", "x-beta-tester", "yes");

    assertThat(canary.requestsFor("/dark/page")).isZero();
    assertThat(stable.requestsFor("/dark/page")).isEqualTo(50);
    assertThat(canary.requestsFor("/dark/beta")).isEqualTo(1);
    assertThat(gateway.accessLog().lines().filter(line -> line.contains("/dark/beta")))
        .singleElement().asString().contains("127.0.0.1:" + canary.port());
  }
}
