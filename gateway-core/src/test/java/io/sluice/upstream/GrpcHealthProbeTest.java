package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The hand-made grpc.health.v1 messages, checked against the protobuf classes grpc-java ships. */
class GrpcHealthProbeTest {

  @Test
  void theRequestIsAHealthCheckRequestFramedForGrpc() throws Exception {
    for (String service : new String[] {"", "orders.v1.OrderService", "s".repeat(300), "dienst.\u00fcber"}) {
      byte[] frame = GrpcHealthProbe.requestFrame(service);

      assertThat(frame[0]).as("not compressed").isZero();
      assertThat(Unpooled.wrappedBuffer(frame).getInt(1)).isEqualTo(frame.length - 5);
      assertThat(HealthCheckRequest.parseFrom(Arrays.copyOfRange(frame, 5, frame.length)).getService()).isEqualTo(service);
    }
  }

  @Test
  void theServingStatusIsReadFromAHealthCheckResponse() {
    for (ServingStatus status : new ServingStatus[] {ServingStatus.UNKNOWN, ServingStatus.SERVING, ServingStatus.NOT_SERVING,
        ServingStatus.SERVICE_UNKNOWN}) {
      ByteBuf body = framed(HealthCheckResponse.newBuilder().setStatus(status).build().toByteArray());

      assertThat(GrpcHealthProbe.servingStatus(body)).as(status.name()).isEqualTo(status.getNumber());
    }
  }

  @Test
  void unknownFieldsAreSkippedAsProtobufDoes() {
    // field 2 string "x", field 3 fixed64, field 1 varint SERVING, field 4 fixed32
    byte[] message = {0x12, 1, 'x', 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 1, 0x25, 1, 2, 3, 4};

    assertThat(GrpcHealthProbe.servingStatus(framed(message))).isEqualTo(GrpcHealthProbe.SERVING);
  }

  @Test
  void bytesThatAreNotAnUncompressedResponseAreMalformed() {
    assertThat(GrpcHealthProbe.servingStatus(Unpooled.wrappedBuffer(new byte[] {0, 0, 0}))).isNegative();
    assertThat(GrpcHealthProbe.servingStatus(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 2, 8, 1}))).as("compressed").isNegative();
    assertThat(GrpcHealthProbe.servingStatus(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 9, 8, 1}))).as("truncated").isNegative();
    assertThat(GrpcHealthProbe.servingStatus(framed(new byte[] {0x08}))).as("varint cut off").isNegative();
    assertThat(GrpcHealthProbe.servingStatus(framed(new byte[] {0x0B}))).as("group wire type").isNegative();
  }

  @Test
  void verdictsNameWhatWasWrong() {
    GrpcHealthProbe probe = new GrpcHealthProbe("");
    HttpHeaders none = new DefaultHttpHeaders();

    assertThat(probe.verdict(head(200), framed(serving(ServingStatus.SERVING)), trailers("0"))).isNull();
    assertThat(probe.verdict(head(200), framed(serving(ServingStatus.NOT_SERVING)), trailers("0")))
        .isEqualTo("health status NOT_SERVING");
    assertThat(probe.verdict(head(200), framed(new byte[0]), trailers("0"))).isEqualTo("health status UNKNOWN");
    HttpResponse trailersOnly = head(200);
    trailersOnly.headers().set("grpc-status", "12").set("grpc-message", "Method not found");
    assertThat(probe.verdict(trailersOnly, Unpooled.EMPTY_BUFFER, none))
        .isEqualTo("grpc-status 12 UNIMPLEMENTED (the server has no grpc.health.v1.Health service): Method not found");
    assertThat(probe.verdict(head(200), Unpooled.EMPTY_BUFFER, trailers("5")))
        .isEqualTo("grpc-status 5 NOT_FOUND (the server does not know the service asked about)");
    assertThat(probe.verdict(head(503), Unpooled.EMPTY_BUFFER, none)).isEqualTo("HTTP status 503 (expected: 200 with a gRPC response)");
    assertThat(probe.verdict(head(200), Unpooled.EMPTY_BUFFER, none)).startsWith("no grpc-status");
    assertThat(probe.verdict(head(200), Unpooled.wrappedBuffer(new byte[] {0, 0}), trailers("0")))
        .isEqualTo("the answer is not a HealthCheckResponse");
  }

  private static byte[] serving(ServingStatus status) {
    return HealthCheckResponse.newBuilder().setStatus(status).build().toByteArray();
  }

  private static HttpResponse head(int status) {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
  }

  private static HttpHeaders trailers(String grpcStatus) {
    return new DefaultHttpHeaders().set("grpc-status", grpcStatus);
  }

  private static ByteBuf framed(byte[] message) {
    ByteBuf frame = Unpooled.buffer();
    frame.writeByte(0).writeInt(message.length).writeBytes(message);
    return frame;
  }
}
