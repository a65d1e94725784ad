package io.sluice.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2TestUpstream;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** W3C trace context through a real gateway to real HTTP/1.1, HTTP/2 and gRPC upstreams that record what they received. */
class TracePropagationTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_PARENT = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE + "-" + CLIENT_PARENT + "-01";
  private static final String PROPAGATED = "00-" + TRACE + "-[0-9a-f]{16}-01";

  static TestUpstream http1;
  static H2TestUpstream h2;
  static GrpcTestServer grpc;
  static Gateway gateway;
  static Gateway unsampled;
  static Gateway off;

  private static final String CONFIG = """
      server:
        listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
        access_log: { format: json }
        %s
      upstreams:
        http1: { endpoints: [ "http://127.0.0.1:${HTTP1}" ] }
        h2: { endpoints: [ "http://127.0.0.1:${H2}" ], protocol: h2c }
        grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
      routes:
        - { id: grpc, match: { path: "/test.Echo/*" }, upstream: grpc }
        - { id: h2, match: { path: /h2/** }, upstream: h2 }
        - { id: http1, match: { path: /** }, upstream: http1 }
      """;

  @BeforeAll
  static void start() throws Exception {
    http1 = new TestUpstream();
    h2 = H2TestUpstream.h2c(100);
    grpc = GrpcTestServer.start();
    Map<String, String> env = Map.of("HTTP1", String.valueOf(http1.port()), "H2", String.valueOf(h2.port()),
        "GRPC", String.valueOf(grpc.port()));
    gateway = Gateway.start(CONFIG.formatted(""), env);
    unsampled = Gateway.start(CONFIG.formatted("tracing: { sampled: false }"), env);
    off = Gateway.start(CONFIG.formatted("tracing: { propagate: false }"), env);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    unsampled.close();
    off.close();
    http1.close();
    h2.close();
    grpc.close();
  }

  private static JsonNode logLine(Gateway of, String pathPart) throws Exception {
    return of.accessLogLine(pathPart);
  }

  @Test
  void theClientsTraceGoesUpstreamWithTheGatewayAsParent() throws Exception {
    gateway.send("GET", "/continued", "traceparent", TRACEPARENT, "tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");

    String sent = http1.lastRequest().headers().get("traceparent");
    assertThat(sent).matches(PROPAGATED).doesNotContain(CLIENT_PARENT);
    assertThat(http1.lastRequest().headers().get("tracestate")).isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    assertThat(logLine(gateway, "/continued").get("trace_id").asText()).isEqualTo(TRACE);
  }

  @Test
  void aRequestWithoutTraceparentStartsASampledTrace() throws Exception {
    gateway.send("GET", "/fresh");

    String sent = http1.lastRequest().headers().get("traceparent");
    assertThat(sent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(sent.substring(3, 35)).isEqualTo(logLine(gateway, "/fresh").get("trace_id").asText());
  }

  @Test
  void anInvalidTraceparentIsReplacedAndItsTracestateDropped() throws Exception {
    gateway.send("GET", "/invalid", "traceparent", "00-00000000000000000000000000000000-" + CLIENT_PARENT + "-01",
        "tracestate", "congo=t61rcWkgMzE");

    String sent = http1.lastRequest().headers().get("traceparent");
    assertThat(sent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").doesNotContain("00000000000000000000000000000000");
    assertThat(http1.lastRequest().headers().contains("tracestate")).isFalse();
    assertThat(logLine(gateway, "/invalid").get("trace_id").asText()).isEqualTo(sent.substring(3, 35));
  }

  @Test
  void newTracesCarryTheConfiguredSampledFlag() throws Exception {
    unsampled.send("GET", "/unsampled");
    assertThat(http1.lastRequest().headers().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");

    unsampled.send("GET", "/unsampled-but-continued", "traceparent", TRACEPARENT);
    assertThat(http1.lastRequest().headers().get("traceparent")).as("the caller's decision stands").matches(PROPAGATED);
  }

  @Test
  void withPropagationOffTheHeadersPassUntouchedAndNoTraceIsLogged() throws Exception {
    off.send("GET", "/off-with", "traceparent", TRACEPARENT, "tracestate", "congo=t61rcWkgMzE");
    assertThat(http1.lastRequest().headers().get("traceparent")).isEqualTo(TRACEPARENT);
    assertThat(http1.lastRequest().headers().get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
    assertThat(logLine(off, "/off-with").has("trace_id")).isFalse();

    off.send("GET", "/off-without");
    assertThat(http1.lastRequest().headers().contains("traceparent")).isFalse();
  }

  @Test
  void anHttp2ClientsTraceReachesAnHttp2Upstream() throws Exception {
    try (H2Client client = H2Client.h2c(gateway.port())) {
      H2Client.Response response = client.request("GET", "/h2/traced",
          Map.of("traceparent", TRACEPARENT, "tracestate", "congo=t61rcWkgMzE"), null);

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers().get("x-echo-traceparent").toString()).matches(PROPAGATED).doesNotContain(CLIENT_PARENT);
      assertThat(response.headers().get("x-echo-tracestate").toString()).isEqualTo("congo=t61rcWkgMzE");
      JsonNode line = logLine(gateway, "/h2/traced");
      assertThat(line.get("trace_id").asText()).isEqualTo(TRACE);
      assertThat(line.get("protocol").asText()).isEqualTo("HTTP/2");
    }
  }

  @Test
  void aGrpcCallsTraceReachesTheGrpcServer() throws Exception {
    Metadata headers = new Metadata();
    headers.put(EchoService.ascii("traceparent"), TRACEPARENT);
    try (GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", gateway.port())) {
      GrpcResult result = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {1}));

      assertThat(result.status().isOk()).isTrue();
      assertThat(grpc.lastHeaders().get(EchoService.ascii("traceparent"))).matches(PROPAGATED).doesNotContain(CLIENT_PARENT);
      JsonNode line = logLine(gateway, "/test.Echo/");
      assertThat(line.get("trace_id").asText()).isEqualTo(TRACE);
      assertThat(line.get("protocol").asText()).isEqualTo("gRPC");
      assertThat(line.get("grpc_status").asInt()).isZero();
      assertThat(line.get("route").asText()).isEqualTo("grpc");
    }
  }
}
