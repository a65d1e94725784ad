package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.plugins.TestPlugins;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A plugin answer that cannot be sent (a header with CR/LF, a name that is not a token, a framing
 * header, a status out of range), made at once or after an await, ends as 500 PLUGIN_ERROR with
 * the exchange completed: access log, onComplete, the active-exchange count, and a connection
 * that serves the next request. Over HTTP/1.1, HTTP/2 and gRPC.
 */
@ExtendWith(NoLeaksExtension.class)
class PluginAnswersTest {

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        plugins:
          - test_observe: {}
        routes:
          - { id: header-value, match: { path: /answer/header-value }, upstream: backend,
              plugins: [ { test_answer: { kind: header_value } } ] }
          - { id: header-name, match: { path: /answer/header-name }, upstream: backend,
              plugins: [ { test_answer: { kind: header_name } } ] }
          - { id: framing-header, match: { path: /answer/framing-header }, upstream: backend,
              plugins: [ { test_answer: { kind: framing_header } } ] }
          - { id: error-header, match: { path: /answer/error-header }, upstream: backend,
              plugins: [ { test_answer: { kind: error_header } } ] }
          - { id: error-status, match: { path: /answer/error-status }, upstream: backend,
              plugins: [ { test_answer: { kind: error_status } } ] }
          - { id: late-header-value, match: { path: /late/header-value }, upstream: backend,
              plugins: [ { test_answer: { kind: header_value, after_await: true } } ] }
          - { id: late-error-header, match: { path: /late/error-header }, upstream: backend,
              plugins: [ { test_answer: { kind: error_header, after_await: true } } ] }
          - { id: grpc-late, match: { path: "/test.Echo/*", headers: { x-late: "1" } }, upstream: backend,
              plugins: [ { test_answer: { kind: header_value, after_await: true } } ] }
          - { id: grpc, match: { path: "/test.Echo/*" }, upstream: backend,
              plugins: [ { test_answer: { kind: error_header } } ] }
          - { id: ok, match: { path: /ok }, upstream: backend }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void clear() throws InterruptedException {
    Poll.until("no exchange left from the test before", () -> gateway.server().activeExchanges() == 0);
    TestPlugins.COMPLETED.clear();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/answer/header-value", "/answer/header-name", "/answer/framing-header", "/answer/error-header",
      "/answer/error-status", "/late/header-value", "/late/error-header"})
  void anAnswerThatCannotBeSentIs500PluginErrorAndTheHttp1ConnectionServesTheNextRequest(String path) throws Exception {
    String route = path.substring(1).replace("answer/", "").replace('/', '-');
    try (Socket socket = gateway.raw().open()) {
      String answer = exchange(socket, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");

      assertThat(answer).startsWith("HTTP/1.1 500 ").contains("\"code\":\"PLUGIN_ERROR\"")
          .doesNotContain("injected").doesNotContainIgnoringCase("x-reason").doesNotContainIgnoringCase("transfer-encoding");
      assertThat(exchange(socket, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")).as("the same connection, next request")
          .startsWith("HTTP/1.1 200 ");
    }
    Poll.until("both exchanges complete", () -> gateway.server().activeExchanges() == 0);
    Poll.until("onComplete ran", () -> TestPlugins.COMPLETED.contains(route + " 500 PLUGIN_ERROR"), TestPlugins.COMPLETED::toString);
    assertThat(TestPlugins.COMPLETED).containsExactlyInAnyOrder(route + " 500 PLUGIN_ERROR", "ok 200 -");
    assertThat(gateway.accessLog()).contains(" " + route + " - PLUGIN_ERROR plugin \"plugin=test_answer failed: "
        + "java.lang.IllegalArgumentException: ");
  }

  @Test
  void theAccessLogNamesWhatWasWrongWithTheAnswer() throws Exception {
    try (Socket socket = gateway.raw().open()) {
      exchange(socket, "GET /answer/header-value HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    // the value as the plugin wrote it, control characters escaped: the log line stays one line
    assertThat(gateway.accessLog()).contains("header 'x-note' has the value 'first\\r\\nSet-Cookie: injected=1', which cannot be sent");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/answer/header-value", "/answer/error-header", "/late/header-value", "/late/error-header"})
  void overHttp2TheStreamGets500AndTheConnectionStaysUsable(String path) throws Exception {
    try (H2Client client = H2Client.h2c(gateway.port())) {
      H2Client.Response answer = client.get(path);

      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.bodyText()).contains("\"code\":\"PLUGIN_ERROR\"");
      assertThat(client.get("/ok").status()).isEqualTo(200);
      assertThat(client.isOpen()).isTrue();
    }
    Poll.until("both exchanges complete", () -> gateway.server().activeExchanges() == 0);
    assertThat(TestPlugins.COMPLETED).hasSize(2).contains("ok 200 -").anyMatch(line -> line.endsWith(" 500 PLUGIN_ERROR"));
  }

  @Test
  void aGrpcCallerGetsInternalWithTheGatewaysMessage() throws Exception {
    try (GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", gateway.port())) {
      GrpcResult now = client.withDeadline(Duration.ofSeconds(5)).call(EchoService.UNARY, List.of(new byte[] {1}));
      Metadata late = new Metadata();
      late.put(EchoService.ascii("x-late"), "1");
      GrpcResult afterAwait = client.withHeaders(late).withDeadline(Duration.ofSeconds(5))
          .call(EchoService.UNARY, List.of(new byte[] {1}));

      for (GrpcResult result : List.of(now, afterAwait)) {
        assertThat(result.status().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(result.status().getDescription()).isEqualTo("The request could not be processed");
      }
    }
    Poll.until("both calls complete", () -> gateway.server().activeExchanges() == 0);
    assertThat(TestPlugins.COMPLETED).containsExactlyInAnyOrder("grpc 500 PLUGIN_ERROR", "grpc-late 500 PLUGIN_ERROR");
  }

  /** Sends one request on a kept connection and reads exactly one response (with a Content-Length). */
  static String exchange(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
