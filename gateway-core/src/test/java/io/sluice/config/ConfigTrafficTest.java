package io.sluice.config;

import static io.sluice.config.YamlSnippets.HEADER;
import static io.sluice.config.YamlSnippets.routeProblems;
import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Traffic shaping keys of routes and upstreams; route snippets follow {@link YamlSnippets#HEADER} (line 7 on). */
class ConfigTrafficTest {

  @Test
  void aSplitListsItsUpstreamsWithWeightsAndOverrides() throws Exception {
    RouteConfig route = valid(HEADER + """
          - id: split
            match: { path: /a }
            upstreams:
              - { upstream: users, weight: 95 }
              - { upstream: orders, weight: 5, headers: { x-canary: "1" } }
        """).routes().get(0);

    RouteAction.Forward forward = (RouteAction.Forward) route.action();
    assertThat(forward.split()).containsExactly(new WeightedUpstream("users", 95, List.of()),
        new WeightedUpstream("orders", 5, List.of(ValueMatch.exact("x-canary", "1"))));
    assertThat(forward.upstream()).isEqualTo("users");
    assertThat(forward.upstreams()).containsExactly("users", "orders");
  }

  @Test
  void splitMistakes() {
    assertThat(routeProblems("""
          - { id: both, match: { path: /a }, upstream: users, upstreams: [ { upstream: users, weight: 1 } ] }
          - id: zero
            match: { path: /b }
            upstreams: [ { upstream: users, weight: 0 }, { upstream: orders, weight: 0 } ]
          - id: wrong
            match: { path: /c }
            upstreams: [ { upstream: user, weight: 1 }, { upstream: orders, weight: -1 }, { upstream: orders, weight: 2 }, { weight: 1 } ]
        """)).containsExactly(
            "sluice.yaml:7:5 routes[0]: expected either 'upstream' (one) or 'upstreams' (a split), not both",
            "sluice.yaml:10:16 routes[1].upstreams: every weight is 0, so requests without an override would have nowhere to go"
                + " (expected: at least one entry with a weight above 0)",
            "sluice.yaml:13:30 routes[2].upstreams[0].upstream: unknown upstream 'user' (did you mean 'users'?)",
            "sluice.yaml:13:77 routes[2].upstreams[1].weight: '-1' (expected: a weight from 0 to 1000000)",
            "sluice.yaml:13:95 routes[2].upstreams[2].upstream: duplicate upstream 'orders' (first at line 13)",
            "sluice.yaml:13:116 routes[2].upstreams[3]: missing required key 'upstream'");
  }

  @Test
  void ringHashWithAKeyAndEndpointWeights() throws Exception {
    UpstreamConfig upstream = valid("""
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          users:
            endpoints: ["http://127.0.0.1:9001", { url: "http://127.0.0.1:9002", weight: 3 }]
            load_balancer: ring_hash
            hash_on: { header: X-User }
        routes: []
        """).upstreams().get("users");

    assertThat(upstream.loadBalancer()).isEqualTo(UpstreamConfig.LoadBalancing.RING_HASH);
    assertThat(upstream.hashOn()).isEqualTo(new HashOn(HashOn.Source.HEADER, "x-user"));
    assertThat(upstream.weight(new Endpoint("http", "127.0.0.1", 9002))).isEqualTo(3);
    assertThat(upstream.weight(new Endpoint("http", "127.0.0.1", 9001))).isEqualTo(1);
  }

  @Test
  void hashingMistakes() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          no-key: { endpoints: ["http://127.0.0.1:9001"], load_balancer: ring_hash }
          two-keys: { endpoints: ["http://127.0.0.1:9001"], load_balancer: ring_hash, hash_on: { header: a, cookie: b } }
          unused: { endpoints: ["http://127.0.0.1:9001"], hash_on: { client_ip: true } }
          weighted: { endpoints: [{ url: "http://127.0.0.1:9001", weight: 0 }, { url: "http://127.0.0.1:9002", weight: 2 }] }
        routes: []
        """)).containsExactly(
            "sluice.yaml:4:51 upstreams.no-key: ring_hash needs 'hash_on' (expected: hash_on with one of header, cookie, query"
                + " or client_ip)",
            "sluice.yaml:5:88 upstreams.two-keys.hash_on: expected exactly one of: header, cookie, query, client_ip",
            "sluice.yaml:6:51 upstreams.unused: 'hash_on' has no effect with load_balancer round_robin"
                + " (expected: load_balancer: ring_hash, or no hash_on)",
            "sluice.yaml:7:67 upstreams.weighted.endpoints[0].weight: '0' (expected: a weight from 1 to 1000)");
  }

  @Test
  void aMirrorWithItsDefaults() throws Exception {
    RouteConfig route = valid(HEADER + """
          - { id: a, match: { path: /a }, upstream: users, mirror: { upstream: orders } }
          - { id: b, match: { path: /b }, upstream: users, mirror: { upstream: orders, percent: 2.5%, max_body_bytes: 0 } }
        """).routes().get(1);

    assertThat(((RouteAction.Forward) route.action()).mirror()).isEqualTo(new MirrorConfig("orders", 0.025, 0));
  }

  @Test
  void mirrorMistakes() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: users, mirror: { upstream: order, percent: 0% } }
          - { id: b, match: { path: /b }, respond: { status: 200 }, mirror: { upstream: orders } }
          - { id: c, match: { path: /c }, upstream: users, websocket: {}, mirror: { upstream: orders } }
        """)).containsExactly(
            "sluice.yaml:7:72 routes[0].mirror.upstream: unknown upstream 'order' (did you mean 'orders'?)",
            "sluice.yaml:7:88 routes[0].mirror.percent: '0%' (expected: a percentage greater than 0% and at most 100%)",
            "sluice.yaml:8:61 routes[1]: 'mirror' applies only to routes with 'upstream'",
            "sluice.yaml:9:67 routes[2]: 'mirror' does not apply to WebSocket routes, whose connections cannot be copied"
                + " (expected: mirror on a route without websocket)");
  }

  @Test
  void slowStartIsADurationAndNotForRingHash() throws Exception {
    assertThat(valid(HEADER + "  []\n").upstreams().get("users").slowStart()).isZero();
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          a: { endpoints: ["http://127.0.0.1:9001"], slow_start: soon }
          b: { endpoints: ["http://127.0.0.1:9001"], load_balancer: ring_hash, hash_on: { client_ip: true }, slow_start: 30s }
        routes: []
        """)).containsExactly(
            "sluice.yaml:4:58 upstreams.a.slow_start: 'soon' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
            "sluice.yaml:5:102 upstreams.b: 'slow_start' does not apply to ring_hash, which keeps each key on its endpoint"
                + " rather than spreading shares (expected: round_robin or least_request, or no slow_start)");
  }
}
