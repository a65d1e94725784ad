package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import org.junit.jupiter.api.Test;

class LocalResponsesTest {

  @Test
  void grpcMessagesArePercentEncodedAsGrpcRequires() {
    assertThat(io.sluice.grpc.GrpcMessages.percentEncode("Slow down: 100% used, café")).isEqualTo("Slow down: 100%25 used, caf%C3%A9");
    assertThat(io.sluice.grpc.GrpcMessages.percentEncode("line\nbreak")).isEqualTo("line%0Abreak");
  }

  @Test
  void noContentResponsesCarryNoContentLength() {
    FullHttpResponse noContent = LocalResponses.of(204, java.util.Map.of("content-length", "0"), "", "01ABC");
    FullHttpResponse ok = LocalResponses.of(200, java.util.Map.of(), "ok", "01ABC");
    try {
      assertThat(noContent.headers().contains("content-length")).isFalse();
      assertThat(ok.headers().get("content-length")).isEqualTo("2");
    } finally {
      noContent.release();
      ok.release();
    }
  }

  @Test
  void grpcErrorsAreTrailersOnlyResponses() {
    FullHttpResponse response = LocalResponses.grpcError(
        GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Too many").withHeader("Retry-After", "3"), "01ABC");
    try {
      assertThat(response.status().code()).isEqualTo(200);
      assertThat(response.headers().get("grpc-status")).isEqualTo("8");
      assertThat(response.headers().get("grpc-message")).isEqualTo("Too many");
      assertThat(response.headers().get("retry-after")).isEqualTo("3");
      assertThat(response.content().readableBytes()).isZero();
    } finally {
      response.release();
    }
  }
}
