package io.sluice.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.grpc.GrpcTestServer;
import io.sluice.testing.grpc.RecordingObserver;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** grpc-java clients through the gateway to a grpc-java server: every call kind, metadata, deadlines, errors, gRPC-Web. */
@ExtendWith(NoLeaksExtension.class)
class GrpcProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  static GrpcTestServer server;
  static Gateway gateway;
  static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = GrpcTestServer.start();
    gateway = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0 }
        upstreams:
          grpc: { endpoints: [ "http://127.0.0.1:${GRPC}" ], protocol: h2c }
        routes:
          - id: slow-method
            match: { path: /test.Echo/Slow }
            upstream: grpc
          - id: echo-service
            match: { path: "/test.Echo/*" }
            upstream: grpc
            max_body_bytes: 64MiB   # per call: a stream carries all its messages
        """, Map.of("GRPC", String.valueOf(server.port())));
    client = GrpcTestClient.builder("127.0.0.1", gateway.port()).forMessagesOf(6 * 1024 * 1024).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    gateway.close();
    server.close();
  }

  @Test
  void unaryCarriesMetadataBothWaysAndCustomTrailers() throws Exception {
    byte[] binary = {0, (byte) 0xFF, '\n', 42};
    Metadata headers = new Metadata();
    headers.put(EchoService.ascii("x-plain"), "one");
    headers.put(EchoService.binary("x-blob-bin"), binary);

    GrpcResult result = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {7, 8}));

    assertThat(result.status().isOk()).isTrue();
    assertThat(result.message()).containsExactly(7, 8);
    assertThat(result.header("echo-x-plain")).isEqualTo("one");
    assertThat(result.binaryHeader("echo-x-blob-bin")).isEqualTo(binary);
    assertThat(result.trailer("x-trailer")).isEqualTo("done");
    assertThat(result.binaryTrailer("x-trailer-bin")).isEqualTo(EchoService.TRAILER_BIN_VALUE);
    assertThat(result.header("x-request-id")).isNotNull();
  }

  @Test
  void aCallerCannotChooseTheRequestIdOrSendUnderscoredMetadata() throws Exception {
    Metadata headers = new Metadata();
    headers.put(EchoService.ascii("x-request-id"), "chosen-by-caller");
    headers.put(EchoService.ascii("x_auth_user"), "admin");
    headers.put(EchoService.ascii("x-plain"), "one");

    GrpcResult result = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {1}));

    assertThat(result.status().isOk()).isTrue();
    String requestId = result.header("x-request-id");
    assertThat(requestId).isNotEqualTo("chosen-by-caller").hasSize(26);
    assertThat(result.header(EchoService.echoed("x-request-id"))).as("what the upstream got").isEqualTo(requestId);
    assertThat(result.header(EchoService.echoed("x_auth_user"))).isNull();
    assertThat(result.header(EchoService.echoed("x-plain"))).isEqualTo("one");
  }

  @Test
  void upstreamStatusWithANonAsciiMessagePassesThroughUntouched() throws Exception {
    String message = "caf\u00e9 ferm\u00e9 \u2717 \u65e5\u672c 100%";
    Metadata headers = new Metadata();
    headers.put(EchoService.X_STATUS, "7");
    headers.put(EchoService.X_MESSAGE_BIN, message.getBytes(UTF_8));

    GrpcResult result = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(result.status().getDescription()).isEqualTo(message);
  }

  @Test
  void serverStreamingAndClientStreamingCallsWork() throws Exception {
    GrpcResult streamed = client.call(EchoService.SERVER_STREAM, List.of(new byte[] {(byte) 150, 9}));
    assertThat(streamed.status().isOk()).isTrue();
    assertThat(streamed.messages()).hasSize(150);
    assertThat(streamed.messages().get(149)).containsExactly(149, 9);
    assertThat(streamed.trailer("x-trailer")).isEqualTo("done");

    GrpcResult gathered = client.call(EchoService.CLIENT_STREAM, List.of(new byte[] {1, 2}, new byte[] {3}, new byte[] {4, 5}));
    assertThat(gathered.status().isOk()).isTrue();
    assertThat(gathered.message()).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void bidiMessagesFlowBothWaysWhileTheCallIsOpen() throws Exception {
    RecordingObserver responses = new RecordingObserver();
    StreamObserver<byte[]> requests = client.bidi(responses);

    for (int i = 1; i <= 20; i++) {
      requests.onNext(new byte[] {(byte) i});
      assertThat(responses.awaitMessages(i, WAIT)).as("echo %d arrives before the next message is sent", i).isTrue();
    }
    requests.onCompleted();

    assertThat(responses.awaitDone(WAIT).isOk()).isTrue();
    assertThat(responses.messages()).hasSize(20);
  }

  @Test
  void messagesOfSeveralMebibytesRoundTrip() throws Exception {
    byte[] large = GrpcTestClient.largeMessage(5 * 1024 * 1024 + 17);

    assertThat(client.unary(large)).isEqualTo(large);
    GrpcResult bidi = client.call(EchoService.BIDI, List.of(large, large));
    assertThat(bidi.status().isOk()).as(bidi.status() + "\n" + gateway.accessLog()).isTrue();
    assertThat(bidi.messages()).hasSize(2).allSatisfy(m -> assertThat(m).isEqualTo(large));
  }

  @Test
  void theUpstreamGetsWhatIsLeftOfTheDeadline() throws Exception {
    Metadata headers = new Metadata();
    headers.put(EchoService.X_DELAY_MS, "0");
    GrpcResult result = client.withHeaders(headers).withDeadline(Duration.ofSeconds(20)).call(EchoService.SLOW, List.of(new byte[] {1}));

    assertThat(result.status().isOk()).isTrue();
    assertThat(server.lastDeadline()).hasValueSatisfying(left ->
        assertThat(left).isLessThanOrEqualTo(Duration.ofSeconds(20)).isGreaterThan(Duration.ofSeconds(15)));
  }

  @Test
  void aDeadlineThatPassesAtTheUpstreamEndsTheCallWithDeadlineExceeded() throws Exception {
    Metadata headers = new Metadata();
    headers.put(EchoService.X_DELAY_MS, "3000");

    GrpcResult result = client.withHeaders(headers).withDeadline(Duration.ofMillis(300)).call(EchoService.SLOW, List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void theGatewayEnforcesTheDeadlineItselfAndCancelsTheUpstreamCall() throws Exception {
    int cancelled = server.cancellations().value();
    try (H2Client raw = H2Client.h2c(gateway.port())) {
      // grpc-timeout as any client sends it; this one would not give up on its own
      H2Client.Stream call = raw.open("POST", "/test.Echo/Slow", Map.of("content-type", "application/grpc", "te", "trailers",
          "grpc-timeout", "300m", "x-delay-ms", "5000"), false);
      call.send(new byte[] {0, 0, 0, 0, 1, 42}, true);

      long started = System.nanoTime();
      H2Client.Response response = call.response().get(5, TimeUnit.SECONDS);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      Metadata.Key<String> statusKey = EchoService.ascii("grpc-status");
      String status = response.trailers().contains("grpc-status") ? response.trailers().get("grpc-status").toString()
          : response.headers().get("grpc-status").toString();
      assertThat(status).as(statusKey.name()).isEqualTo(String.valueOf(Status.Code.DEADLINE_EXCEEDED.value()));
      assertThat(tookMillis).isLessThan(3000);
    }
    assertThat(server.cancellations().await(cancelled + 1, WAIT)).as("the upstream call was cancelled").isTrue();
  }

  @Test
  void clientCancellationReachesTheUpstream() throws Exception {
    int cancelled = server.cancellations().value();
    Metadata headers = new Metadata();
    headers.put(EchoService.X_DELAY_MS, "10000");
    RecordingObserver responses = new RecordingObserver();
    int slowCalls = server.slowCalls().value();
    ClientCall<byte[], byte[]> call = client.withHeaders(headers).unary(EchoService.SLOW, new byte[] {1}, responses);
    assertThat(server.slowCalls().await(slowCalls + 1, WAIT)).isTrue();

    call.cancel("user gave up", null);

    assertThat(server.cancellations().await(cancelled + 1, WAIT)).isTrue();
    assertThat(server.lastSlowCancelled()).isTrue();
  }

  @Test
  void aMethodNoRouteMatchesIsUnimplemented() throws Exception {
    GrpcResult result = client.call(io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("other.Service/Call")
        .setRequestMarshaller(EchoService.BYTES).setResponseMarshaller(EchoService.BYTES).build(), List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(result.status().getDescription()).contains("No route matches POST /other.Service/Call");
  }

  @Test
  void grpcWebFromABrowserIsTranslatedToGrpcAndBack() throws Exception {
    byte[] frame = {0, 0, 0, 0, 3, 1, 2, 3};
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<byte[]> binary = http.send(HttpRequest.newBuilder(gateway.uri("/test.Echo/Unary"))
              .header("content-type", "application/grpc-web+proto").header("x-grpc-web", "1")
              .POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build(),
          HttpResponse.BodyHandlers.ofByteArray());

      assertThat(binary.statusCode()).isEqualTo(200);
      assertThat(binary.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/grpc-web"));
      ByteBuffer body = ByteBuffer.wrap(binary.body());
      assertThat(nextFrame(body)).containsExactly(1, 2, 3);
      assertThat(body.get(body.position())).as("trailer frame flag").isEqualTo((byte) 0x80);
      assertThat(new String(nextFrameBody(body), UTF_8)).contains("grpc-status: 0").contains("x-trailer: done");

      HttpResponse<String> text = http.send(HttpRequest.newBuilder(gateway.uri("/test.Echo/Unary"))
              .header("content-type", "application/grpc-web-text").header("accept", "application/grpc-web-text")
              .POST(HttpRequest.BodyPublishers.ofString(Base64.getEncoder().encodeToString(frame))).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(text.statusCode()).isEqualTo(200);
      ByteArrayOutputStream decoded = new ByteArrayOutputStream();
      for (String segment : text.body().split("(?<==)(?=[^=])")) {
        decoded.writeBytes(Base64.getDecoder().decode(segment));
      }
      ByteBuffer textBody = ByteBuffer.wrap(decoded.toByteArray());
      assertThat(nextFrame(textBody)).containsExactly(1, 2, 3);
      assertThat(new String(nextFrameBody(textBody), UTF_8)).contains("grpc-status: 0");
    }
  }

  @Test
  void grpcWebCallersGetErrorsAsGrpcWeb() throws Exception {
    byte[] frame = {0, 0, 0, 0, 1, 5};
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<byte[]> unrouted = http.send(HttpRequest.newBuilder(gateway.uri("/other.Service/Call"))
              .header("content-type", "application/grpc-web+proto")
              .POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build(),
          HttpResponse.BodyHandlers.ofByteArray());

      assertThat(unrouted.statusCode()).isEqualTo(200);
      assertThat(unrouted.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
      assertThat(unrouted.headers().firstValue("grpc-status")).hasValue("12");

      HttpResponse<byte[]> denied = http.send(HttpRequest.newBuilder(gateway.uri("/test.Echo/Unary"))
              .header("content-type", "application/grpc-web+proto").header("x-status", "7").header("x-message", "no")
              .POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build(),
          HttpResponse.BodyHandlers.ofByteArray());

      assertThat(denied.statusCode()).isEqualTo(200);
      ByteBuffer body = ByteBuffer.wrap(denied.body());
      assertThat(body.get(body.position())).as("only the trailer frame").isEqualTo((byte) 0x80);
      assertThat(new String(nextFrameBody(body), UTF_8)).contains("grpc-status: 7").contains("grpc-message: no");
    }
  }

  private static byte[] nextFrame(ByteBuffer body) {
    assertThat(body.get(body.position())).as("data frame flag").isEqualTo((byte) 0);
    return nextFrameBody(body);
  }

  private static byte[] nextFrameBody(ByteBuffer body) {
    body.get();
    byte[] message = new byte[body.getInt()];
    body.get(message);
    return message;
  }
}
