package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import org.junit.jupiter.api.Test;

/** A GatewayError's extra fields go inside "error", after the message, as JSON numbers and strings. */
class ErrorFieldsTest {

  @Test
  void fieldsFollowTheMessageInsideError() {
    GatewayError error = GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Slow down")
        .withField("retry_after", 12).withField("policy", "a\"b").withHeader("Retry-After", "12");

    assertThat(ErrorBodies.json(error, "01ABC")).isEqualTo(
        "{\"error\":{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"Slow down\",\"retry_after\":12,\"policy\":\"a\\\"b\"},"
            + "\"request_id\":\"01ABC\"}\n");
  }

  @Test
  void fieldsSurviveTheOtherWithers() {
    GatewayError error = GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Slow down").withField("limit", 5)
        .withDetails("x").withStatus(503).withHeader("A", "b").withSource(GatewayError.Source.GATEWAY);

    assertThat(error.fields()).containsEntry("limit", 5L);
  }

  @Test
  void fieldNamesThatCouldBreakTheShapeAreRefused() {
    GatewayError error = GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Slow down");

    assertThatThrownBy(() -> error.withField("code", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> error.withField("Retry-After", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("snake_case");
    assertThatThrownBy(() -> error.withField("x\"", "y")).isInstanceOf(IllegalArgumentException.class);
  }
}
