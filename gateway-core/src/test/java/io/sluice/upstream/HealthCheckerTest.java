package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2Headers;
import io.sluice.config.ConfigLoader;
import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import io.sluice.testing.H2TestUpstream;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.TestCertificates;
import io.sluice.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A checker on its own event loop against HTTP/2 upstreams, cleartext and TLS, and what closing it leaves. */
@ExtendWith(NoLeaksExtension.class)
class HealthCheckerTest {

  @TempDir
  static Path dir;

  static TestCertificates certs;
  static TestCertificates otherCa;
  static H2TestUpstream h2c;
  static H2TestUpstream mtls;

  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = loops.next();
  private HealthChecker checker;

  @BeforeAll
  static void upstreams() throws Exception {
    certs = TestCertificates.newCa(Files.createDirectory(dir.resolve("trusted")));
    certs.serverRsa("upstream", "localhost");
    certs.client("gateway", "sluice-gateway");
    otherCa = TestCertificates.newCa(Files.createDirectory(dir.resolve("other")));
    h2c = H2TestUpstream.h2c(100);
    mtls = H2TestUpstream.h2(certs, "upstream", true);
  }

  @AfterAll
  static void stopUpstreams() {
    h2c.close();
    mtls.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (checker != null) {
      checker.close().sync();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Upstream {@code u} from its YAML body; {@code ${...}} names fill in from {@code env}. */
  private static UpstreamConfig upstream(String body, Map<String, String> env) throws Exception {
    String yaml = "server: { listeners: [ { name: a, port: 0 } ] }\nupstreams:\n  u: " + body + "\nroutes: []\n";
    return ConfigLoader.parse(yaml, "test.yaml", env::get).upstreams().get("u");
  }

  /** Starts checking {@code upstream}; returns its health. */
  private EndpointHealth check(UpstreamConfig upstream) {
    UpstreamCluster cluster = new UpstreamCluster(upstream);
    checker = new HealthChecker(upstream, cluster.health(), cluster.poolSettings());
    checker.start(loop, new UpstreamConnector(NioSocketChannel.class, null)); // the endpoints are IP addresses
    return cluster.health();
  }

  private static long probes(H2TestUpstream upstream, String path) {
    return upstream.requests().stream().filter(h -> h.path().toString().equals(path)).count();
  }

  @Test
  void h2cUpstreamsAreProbedOverHttp2() throws Exception {
    try (TestUpstream http1Only = new TestUpstream()) {
      EndpointHealth health = check(upstream("""
          { protocol: h2c, endpoints: ["http://127.0.0.1:${H2C}", "http://127.0.0.1:${H1}"],
            health_check: { path: /healthz, interval: 50ms, unhealthy_threshold: 1 } }""",
          Map.of("H2C", String.valueOf(h2c.port()), "H1", String.valueOf(http1Only.port()))));

      // the HTTP/1.1-only server cannot answer an HTTP/2 probe: it fails, and only it
      Poll.until("the HTTP/1.1 server unhealthy", () -> health.healthy().size() == 1, () -> health.healthy().toString());
      Poll.until("more probes passed", () -> probes(h2c, "/healthz") >= 3);

      assertThat(health.healthy()).containsExactly(new Endpoint("http", "127.0.0.1", h2c.port()));
      Http2Headers probe = h2c.requests().stream().filter(h -> h.path().toString().equals("/healthz")).findFirst().orElseThrow();
      assertThat(probe.method().toString()).isEqualTo("GET");
      assertThat(probe.scheme().toString()).isEqualTo("http");
      assertThat(probe.authority().toString()).isEqualTo("127.0.0.1:" + h2c.port());
      assertThat(probe.get("user-agent").toString()).isEqualTo("sluice-health-check");
      // what reached it was the HTTP/2 connection preface, never an HTTP/1.1 GET
      assertThat(http1Only.requests()).extracting(r -> r.method().name()).contains("PRI");
      assertThat(http1Only.requestsFor("/healthz")).isZero();
    }
  }

  /** Checks {@code path} of the mutual-TLS upstream, trusting the CA of {@code trusted}, with the gateway's certificate. */
  private EndpointHealth checkMtls(TestCertificates trusted, String path) throws Exception {
    String tls = "ca: " + trusted.file("ca.pem") + ", cert: " + certs.file("gateway.pem") + ", key: " + certs.file("gateway.key");
    return check(upstream("""
        { protocol: h2, endpoints: ["https://127.0.0.1:${H2}"], tls: { $TLS, server_name: localhost },
          health_check: { path: $PATH, interval: 50ms, unhealthy_threshold: 1 } }""".replace("$TLS", tls).replace("$PATH", path),
        Map.of("H2", String.valueOf(mtls.port()))));
  }

  @Test
  void h2ProbesUseTheUpstreamsCaClientCertificateAndServerName() throws Exception {
    EndpointHealth health = checkMtls(certs, "/mtls-probe");

    Poll.until("three probes answered", () -> probes(mtls, "/mtls-probe") >= 3);

    assertThat(health.healthy()).containsExactly(new Endpoint("https", "127.0.0.1", mtls.port()));
    assertThat(mtls.clientSubjects()).contains("CN=sluice-gateway");
    Http2Headers probe = mtls.requests().stream().filter(h -> h.path().toString().equals("/mtls-probe")).findFirst().orElseThrow();
    assertThat(probe.scheme().toString()).isEqualTo("https");
  }

  @Test
  void anH2UpstreamWhoseCertificateIsNotTrustedIsUnhealthy() throws Exception {
    EndpointHealth health = checkMtls(otherCa, "/untrusted-probe");

    Poll.until("unhealthy", health::isFailingOpen);

    assertThat(probes(mtls, "/untrusted-probe")).isZero();
  }

  @Test
  void closingCancelsTheTimersAndClosesAProbeInFlight() throws Exception {
    try (H2TestUpstream stalling = H2TestUpstream.h2c(100)) {
      EndpointHealth health = check(upstream("""
          { protocol: h2c, endpoints: ["http://127.0.0.1:${H2C}", "http://127.0.0.1:${OTHER}"],
            health_check: { path: /stall, interval: 50ms, timeout: 30s } }""",
          Map.of("H2C", String.valueOf(stalling.port()), "OTHER", String.valueOf(h2c.port()))));
      Poll.until("both probes waiting", () -> stalling.streams() == 1 && stalling.openConnections() == 1
          && probes(h2c, "/stall") > 0);

      checker.close().sync();

      assertThat(loop.submit(checker::outstanding).get()).isZero();
      Poll.until("the probe's connection closed", () -> stalling.openConnections() == 0);
      assertThat(stalling.streams()).isEqualTo(1);
      assertThat(health.healthy()).hasSize(2); // a cancelled probe is no verdict
    }
  }
}
