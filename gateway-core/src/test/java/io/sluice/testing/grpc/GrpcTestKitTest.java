package io.sluice.testing.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kit against itself, no gateway in between: so a failure with the gateway is the gateway's. */
class GrpcTestKitTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  static GrpcTestServer server;
  static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = GrpcTestServer.start();
    client = GrpcTestClient.plaintext("127.0.0.1", server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void unaryEchoesTheMessage() {
    assertThat(client.unary(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
    assertThat(client.unary(new byte[0])).isEmpty();
  }

  @Test
  void unaryEchoesRequestMetadataAndEndsWithCustomTrailers() throws Exception {
    byte[] binary = {0, (byte) 0xFF, '\n', 42};
    Metadata headers = new Metadata();
    headers.put(EchoService.ascii("x-plain"), "one");
    headers.put(EchoService.ascii("x-plain"), "two");
    headers.put(EchoService.binary("x-blob-bin"), binary);

    GrpcResult result = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {7}));

    assertThat(result.status().isOk()).isTrue();
    assertThat(result.message()).containsExactly(7);
    assertThat(result.headers().getAll(EchoService.ascii("echo-x-plain"))).containsExactly("one", "two");
    assertThat(result.binaryHeader("echo-x-blob-bin")).isEqualTo(binary);
    assertThat(result.trailer("x-trailer")).isEqualTo("done");
    assertThat(result.binaryTrailer("x-trailer-bin")).isEqualTo(EchoService.TRAILER_BIN_VALUE);
    assertThat(server.lastHeaders().get(EchoService.ascii("x-plain"))).isEqualTo("two");
  }

  @Test
  void unaryFailsWithTheRequestedStatusAndANonAsciiMessage() throws Exception {
    String message = "caf\u00e9 ferm\u00e9 \u2717 \u65e5\u672c 100%";
    Metadata headers = new Metadata();
    headers.put(EchoService.X_STATUS, "7");
    headers.put(EchoService.X_MESSAGE_BIN, message.getBytes(UTF_8));

    GrpcResult result = client.withHeaders(headers).call(EchoService.UNARY, List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(result.status().getDescription()).isEqualTo(message);
    assertThat(result.messages()).isEmpty();
    assertThat(result.trailer("x-trailer")).as("success trailers only on success").isNull();
  }

  @Test
  void unaryFailsWithAnAsciiMessage() {
    Metadata headers = new Metadata();
    headers.put(EchoService.X_STATUS, "5");
    headers.put(EchoService.X_MESSAGE, "no such thing");

    assertThatThrownBy(() -> client.withHeaders(headers).unary(new byte[] {1}))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("no such thing");
        });
  }

  @Test
  void serverStreamRepliesAsManyMessagesAsTheFirstByteSays() throws Exception {
    GrpcResult result = client.call(EchoService.SERVER_STREAM, List.of(new byte[] {3, 9}));

    assertThat(result.status().isOk()).isTrue();
    assertThat(result.messages()).containsExactly(new byte[] {0, 9}, new byte[] {1, 9}, new byte[] {2, 9});
    assertThat(result.trailer("x-trailer")).isEqualTo("done");

    Iterator<byte[]> blocking = client.serverStream(new byte[] {(byte) 200});
    int count = 0;
    while (blocking.hasNext()) {
      assertThat(blocking.next()[0]).isEqualTo((byte) count++);
    }
    assertThat(count).as("the first byte is unsigned").isEqualTo(200);
  }

  @Test
  void clientStreamConcatenatesWhatItReceivedAndRepliesOnceAtTheEnd() throws Exception {
    GrpcResult result = client.call(EchoService.CLIENT_STREAM,
        List.of(new byte[] {1, 2}, new byte[0], new byte[] {3}, new byte[] {4, 5, 6}));

    assertThat(result.status().isOk()).isTrue();
    assertThat(result.message()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void bidiEchoesEachMessageBeforeTheNextIsSent() throws Exception {
    RecordingObserver responses = new RecordingObserver();
    StreamObserver<byte[]> requests = client.bidi(responses);

    for (int i = 1; i <= 5; i++) {
      requests.onNext(new byte[] {(byte) i});
      assertThat(responses.awaitMessages(i, WAIT)).as("echo of message %d while the call is open", i).isTrue();
      assertThat(responses.isDone()).isFalse();
    }
    requests.onCompleted();

    assertThat(responses.awaitDone(WAIT).isOk()).isTrue();
    assertThat(responses.messages()).hasSize(5);
    assertThat(responses.messages().get(4)).containsExactly(5);
  }

  @Test
  void largeMessagesNeedTheLimitRaisedAndThenRoundTrip() throws Exception {
    byte[] large = GrpcTestClient.largeMessage(5 * 1024 * 1024 + 3);

    GrpcResult refused = client.call(EchoService.UNARY, List.of(large));
    assertThat(refused.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

    try (GrpcTestClient roomy = GrpcTestClient.builder("127.0.0.1", server.port()).forMessagesOf(large.length).build()) {
      assertThat(roomy.unary(large)).isEqualTo(large);
    }
  }

  @Test
  void aCallPastItsDeadlineFailsAndTheServerSeesDeadlineAndCancellation() throws Exception {
    int cancellationsBefore = server.cancellations().value();
    Metadata headers = new Metadata();
    headers.put(EchoService.X_DELAY_MS, "5000");

    GrpcResult result = client.withHeaders(headers).withDeadline(Duration.ofMillis(300))
        .call(EchoService.SLOW, List.of(new byte[] {1}));

    assertThat(result.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(server.lastDeadline()).hasValueSatisfying(left ->
        assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofMillis(300)));
    assertThat(server.cancellations().await(cancellationsBefore + 1, WAIT)).isTrue();
    assertThat(server.lastSlowCancelled()).isTrue();
  }

  @Test
  void aSlowCallWithoutDeadlineAnswersAfterTheDelay() throws Exception {
    Metadata headers = new Metadata();
    headers.put(EchoService.X_DELAY_MS, "50");

    GrpcResult result = client.withHeaders(headers).call(EchoService.SLOW, List.of(new byte[] {4}));

    assertThat(result.status().isOk()).isTrue();
    assertThat(result.message()).containsExactly(4);
    assertThat(server.lastDeadline()).isEmpty();
    assertThat(server.lastSlowCancelled()).isFalse();
  }

  @Test
  void theServerSeesAClientCancellation() throws Exception {
    int slowBefore = server.slowCalls().value();
    int cancellationsBefore = server.cancellations().value();
    Metadata headers = new Metadata();
    headers.put(EchoService.X_DELAY_MS, "30000");
    RecordingObserver responses = new RecordingObserver();

    ClientCall<byte[], byte[]> call = client.withHeaders(headers).unary(EchoService.SLOW, new byte[] {1}, responses);
    assertThat(server.slowCalls().await(slowBefore + 1, WAIT)).isTrue();
    call.cancel("the test gave up", null);

    assertThat(responses.awaitDone(WAIT).getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(server.cancellations().await(cancellationsBefore + 1, WAIT)).isTrue();
    assertThat(server.lastSlowCancelled()).isTrue();
  }

  @Test
  void countsEveryCall() throws Exception {
    int before = server.calls().value();
    client.unary(new byte[] {1});
    client.call(EchoService.CLIENT_STREAM, List.of());

    assertThat(server.calls().await(before + 2, WAIT)).isTrue();
  }
}
