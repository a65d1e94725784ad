package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.TestDnsServer;
import io.sluice.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream endpoints by host name, resolved by a real DNS server on 127.0.0.1 whose answers the
 * tests set. The names exist nowhere else (not in the system's DNS, not in /etc/hosts), so a request
 * that reaches an upstream proves the gateway asked that server, and the server's query count shows
 * how often: a blocking system lookup could not have found them at all.
 */
class UpstreamDnsTest {

  private TestDnsServer dns;
  private TestUpstream first;
  private TestUpstream second;
  private int port;

  @BeforeEach
  void start() throws Exception {
    dns = new TestDnsServer();
    first = new TestUpstream("127.0.0.2", 0);
    port = first.port();
    second = new TestUpstream("127.0.0.3", port);
  }

  @AfterEach
  void stop() {
    second.close();
    first.close();
    dns.close();
  }

  private Gateway gateway(String host, String upstreamExtras) throws Exception {
    return Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          event_loops: 1
          dns: { name_servers: [ "${DNS}" ], query_timeout: 1s, negative_ttl: 30s }
        upstreams:
          backend:
            endpoints: [ "http://%s:${PORT}" ]
            timeouts: { connect: 1s }
            %s
        routes:
          - { id: all, match: { path: /** }, upstream: backend }
        """.formatted(host, upstreamExtras), Map.of("DNS", dns.address(), "PORT", String.valueOf(port)));
  }

  @Test
  void anAnswerIsUsedForItsTtlWithoutAskingAgainForEachConnection() throws Exception {
    dns.answer("backend.test", 60, "127.0.0.2");
    try (Gateway gateway = gateway("backend.test", "")) {
      for (int i = 0; i < 5; i++) {
        // /close makes the upstream close each connection: every request needs a new one
        assertThat(gateway.send("GET", "/close").statusCode()).isEqualTo(200);
      }

      assertThat(first.connections()).isEqualTo(5);
      assertThat(dns.queries("backend.test")).isEqualTo(1);
    }
  }

  @Test
  void aChangedAnswerIsPickedUpWhenTheTtlHasPassedAndTrafficMoves() throws Exception {
    dns.answer("backend.test", 1, "127.0.0.2");
    try (Gateway gateway = gateway("backend.test", "")) {
      assertThat(gateway.send("GET", "/before").statusCode()).isEqualTo(200);
      assertThat(first.requestsFor("/before")).isEqualTo(1);

      dns.answer("backend.test", 1, "127.0.0.3");
      // keep-alive requests on the pooled connection to the old address, until the pool follows the name
      Poll.until("requests reach the new address", () -> {
        try {
          return gateway.send("GET", "/moving").statusCode() == 200 && second.requestsFor("/moving") > 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      long onOldAddress = first.requestsExcept("/before");
      for (int i = 0; i < 5; i++) {
        assertThat(gateway.send("GET", "/after").statusCode()).isEqualTo(200);
      }

      assertThat(second.requestsFor("/after")).isEqualTo(5);
      assertThat(first.requestsExcept("/before")).isEqualTo(onOldAddress);
      assertThat(dns.queries("backend.test")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void connectionsSpreadOverAllAddressesOfTheAnswer() throws Exception {
    dns.answer("backend.test", 60, "127.0.0.2", "127.0.0.3");
    try (Gateway gateway = gateway("backend.test", "")) {
      for (int i = 0; i < 6; i++) {
        assertThat(gateway.send("GET", "/close").statusCode()).isEqualTo(200);
      }

      assertThat(first.requestsFor("/close")).isEqualTo(3);
      assertThat(second.requestsFor("/close")).isEqualTo(3);
      assertThat(dns.queries("backend.test")).isEqualTo(1);
    }
  }

  @Test
  void anAddressThatRefusesConnectionsIsSkippedForTheNext() throws Exception {
    dns.answer("backend.test", 60, "127.0.0.4", "127.0.0.2"); // nothing listens on 127.0.0.4
    try (Gateway gateway = gateway("backend.test", "")) {
      for (int i = 0; i < 4; i++) {
        assertThat(gateway.send("GET", "/close").statusCode()).isEqualTo(200);
      }

      assertThat(first.requestsFor("/close")).isEqualTo(4);
    }
  }

  @Test
  void aNameThatDoesNotResolveIs502WithTheReasonAndIsNotAskedForAgainAtOnce() throws Exception {
    try (Gateway gateway = gateway("missing.test", "")) {
      HttpResponse<String> response = gateway.send("GET", "/x");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
      assertThat(response.body())
          .contains("\"code\":\"UPSTREAM_UNAVAILABLE\"")
          .contains("Upstream 'backend' is unavailable: its host name could not be resolved")
          .contains("\"request_id\":");
      assertThat(gateway.accessLog()).contains("resolving missing.test failed");

      assertThat(gateway.send("GET", "/y").statusCode()).isEqualTo(502);
      assertThat(dns.queries("missing.test")).isEqualTo(1); // the failure is cached (negative_ttl)
    }
  }

  @Test
  void healthProbesResolveWithTheSameResolver() throws Exception {
    dns.answer("backend.test", 60, "127.0.0.2");
    try (Gateway gateway = gateway("backend.test", "health_check: { path: /healthz, interval: 100ms }")) {
      Poll.until("probes reach the address DNS gave", () -> first.requestsFor("/healthz") >= 3);

      assertThat(gateway.send("GET", "/traffic").statusCode()).isEqualTo(200);
      assertThat(dns.queries("backend.test")).isEqualTo(1); // probes and traffic share the cached answer
    }
  }

  @Test
  void namesInTheHostsFileNeedNoQuery() throws Exception {
    try (TestUpstream local = new TestUpstream()) {
      port = local.port();
      try (Gateway gateway = gateway("localhost", "")) {
        HttpResponse<String> response = gateway.send("GET", "/hosts-file");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(local.requestsFor("/hosts-file")).isEqualTo(1);
        assertThat(dns.queries("localhost")).isZero();
      }
    }
  }
}
