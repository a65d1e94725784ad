package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code server.overload:} and an upstream's {@code max_pending_requests}: defaults, values and mistakes. */
class ConfigOverloadTest {

  private static String server(String overload) {
    return """
        server:
          listeners: [{ name: a, port: 8080 }]
          overload:
        %s
        upstreams:
          users: { endpoints: ["http://127.0.0.1:9001"] }
        routes: []
        """.formatted(overload.indent(4).stripTrailing());
  }

  @Test
  void withoutTheSectionThereIsNoInFlightCapAndMemoryIsWatchedAtNinetyAndNinetyFivePercent() throws Exception {
    GatewayConfig config = YamlSnippets.valid(YamlSnippets.HEADER + "  []\n");

    assertThat(config.server().overload()).isEqualTo(OverloadConfig.DEFAULTS);
    assertThat(config.server().overload().maxInFlight()).isZero();
    assertThat(config.server().overload().heap()).isEqualTo(new OverloadConfig.MemoryThresholds(0.9, 0.95));
    assertThat(config.upstreams().get("users").maxPendingRequests()).isEqualTo(1024);
  }

  @Test
  void everyKey() throws Exception {
    OverloadConfig overload = YamlSnippets.valid(server("""
        max_in_flight: 5000
        heap: { stop_keep_alive: 80%, refuse: 92.5% }
        direct_memory: { stop_keep_alive: 70, refuse: "85 %" }
        """)).server().overload();

    assertThat(overload).isEqualTo(new OverloadConfig(5000, new OverloadConfig.MemoryThresholds(0.8, 0.925),
        new OverloadConfig.MemoryThresholds(0.7, 0.85)));
  }

  @Test
  void mistakesAreReportedWithTheirPositions() {
    assertThat(YamlSnippets.problems(server("""
        max_in_flight: -1
        heap: { stop_keep_alive: 95%, refuse: 90% }
        direct_memory: { stop_keep_alive: 0%, refuse: 120%, refuse_at: 1 }
        """))).containsExactly(
        "sluice.yaml:4:20 server.overload.max_in_flight: '-1' (expected: 0 for no cap, or a number of exchanges in progress)",
        "sluice.yaml:5:11 server.overload.heap: refuse (90%) is below stop_keep_alive (95%); expected: stop_keep_alive first,"
            + " then refuse at the same or a higher level",
        "sluice.yaml:6:39 server.overload.direct_memory.stop_keep_alive: '0%' (expected: a percentage greater than 0% and at most 100%)",
        "sluice.yaml:6:51 server.overload.direct_memory.refuse: '120%' (expected: a percentage greater than 0% and at most 100%)",
        "sluice.yaml:6:57 server.overload.direct_memory: unknown key 'refuse_at' (did you mean 'refuse'?)");
  }

  @Test
  void maxPendingRequestsIsAtLeastOne() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          users: { endpoints: ["http://127.0.0.1:9001"], max_pending_requests: 0 }
        routes: []
        """)).containsExactly(
        "sluice.yaml:4:72 upstreams.users.max_pending_requests: '0' (expected: a number of waiting requests, at least 1)");
  }
}
