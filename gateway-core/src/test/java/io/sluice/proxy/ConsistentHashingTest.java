package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ring_hash in front of real upstreams: keys from a header, a cookie and a query parameter stick to one endpoint. */
class ConsistentHashingTest {

  static TestUpstream a;
  static TestUpstream b;
  static TestUpstream c;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    a = new TestUpstream();
    b = new TestUpstream();
    c = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          by-header:
            endpoints: [ "http://127.0.0.1:${A}", { url: "http://127.0.0.1:${B}", weight: 2 }, "http://127.0.0.1:${C}" ]
            load_balancer: ring_hash
            hash_on: { header: x-user }
          by-cookie:
            endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}", "http://127.0.0.1:${C}" ]
            load_balancer: ring_hash
            hash_on: { cookie: session }
          by-query:
            endpoints: [ "http://127.0.0.1:${A}", "http://127.0.0.1:${B}", "http://127.0.0.1:${C}" ]
            load_balancer: ring_hash
            hash_on: { query: tenant }
        routes:
          - { id: header, match: { path: /header/** }, upstream: by-header }
          - { id: cookie, match: { path: /cookie/** }, upstream: by-cookie }
          - { id: query, match: { path: /query/** }, upstream: by-query }
        """, Map.of("A", String.valueOf(a.port()), "B", String.valueOf(b.port()), "C", String.valueOf(c.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    a.close();
    b.close();
    c.close();
  }

  /** Which upstreams got requests for {@code path}. */
  private static Set<String> receivers(String path) {
    Set<String> out = new HashSet<>();
    if (a.requestsFor(path) > 0) {
      out.add("a");
    }
    if (b.requestsFor(path) > 0) {
      out.add("b");
    }
    if (c.requestsFor(path) > 0) {
      out.add("c");
    }
    return out;
  }

  @Test
  void eachHeaderValueSticksToOneEndpointAndTheValuesSpread() throws Exception {
    Set<String> used = new HashSet<>();
    for (int user = 0; user < 30; user++) {
      String path = "/header/user-" + user;
      for (int i = 0; i < 5; i++) {
        assertThat(gateway.send("GET", path, "x-user", "user-" + user).statusCode()).isEqualTo(200);
      }
      assertThat(receivers(path)).as("endpoints of user-" + user).hasSize(1);
      used.addAll(receivers(path));
    }
    assertThat(used).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void cookieAndQueryKeysStickToo() throws Exception {
    for (int key = 0; key < 10; key++) {
      for (int i = 0; i < 4; i++) {
        gateway.send("GET", "/cookie/s" + key, "cookie", "theme=dark; session=s" + key + "; lang=en");
        gateway.send("GET", "/query/t" + key + "?page=" + i + "&tenant=t" + key);
      }
      assertThat(receivers("/cookie/s" + key)).hasSize(1);
      assertThat(receivers("/query/t" + key)).hasSize(1);
    }
  }

  @Test
  void requestsWithoutTheKeySpreadAtRandom() throws Exception {
    for (int i = 0; i < 60; i++) {
      gateway.send("GET", "/header/anonymous");
    }
    assertThat(receivers("/header/anonymous")).hasSize(3);
  }
}
