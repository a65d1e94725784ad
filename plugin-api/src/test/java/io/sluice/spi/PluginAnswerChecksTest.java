package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A plugin's answer is checked when the plugin makes it, with a message that says what is wrong. */
class PluginAnswerChecksTest {

  @Test
  void aHeaderValueWithCrOrLfIsRefusedWhenTheResponseIsMade() {
    assertThatThrownBy(() -> DirectResponse.of(200).withHeader("x-note", "one\r\nSet-Cookie: a=b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'x-note' has the value \"one\\r\\nSet-Cookie: a=b\", which cannot be sent"
            + " (expected: visible ASCII, space, tab or U+0080..U+00FF; no CR, LF or other control characters)");
    assertThatThrownBy(() -> GatewayError.of(ErrorCode.FORBIDDEN, "No").withHeader("x-reason", "a\nb"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("header 'x-reason' has the value \"a\\nb\"");
  }

  @Test
  void otherControlCharactersAndCharactersBeyondLatin1AreRefusedToo() {
    for (String value : new String[] {"nul\0", "bell\u0007", "del\u007f", "snow\u2603"}) {
      assertThatThrownBy(() -> DirectResponse.of(200).withHeader("x-v", value)).as(value)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("which cannot be sent");
    }
    assertThat(DirectResponse.of(200).withHeader("x-v", "tab\tand caf\u00e9 and \"quotes\"").headers())
        .containsEntry("x-v", "tab\tand caf\u00e9 and \"quotes\"");
    assertThat(DirectResponse.of(200).withHeader("x-empty", "").headers()).containsEntry("x-empty", "");
  }

  @Test
  void aHeaderNameThatIsNotATokenIsRefused() {
    for (String name : new String[] {"x note", "x:y", "", "x\r\ny", ":status", "caf\u00e9"}) {
      assertThatThrownBy(() -> DirectResponse.of(200).withHeader(name, "v")).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a token");
    }
    assertThatThrownBy(() -> DirectResponse.of(200).withHeader(null, "v")).hasMessageStartingWith("header name null is not a token");
    assertThatThrownBy(() -> DirectResponse.of(200).withHeader("x-v", null)).hasMessage("header 'x-v' has no value (expected: a string, possibly empty)");
  }

  @Test
  void connectionAndFramingHeadersAreTheGatewaysToSet() {
    for (String name : new String[] {"Transfer-Encoding", "connection", "Keep-Alive", "Proxy-Connection", "TE"}) {
      assertThatThrownBy(() -> DirectResponse.of(200).withHeader(name, "x")).as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("header '" + name + "' is set by the gateway (connection and framing headers cannot be part of a plugin's answer)");
    }
    assertThat(GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Slow down").withHeader("Retry-After", "1").headers())
        .containsEntry("Retry-After", "1");
  }

  @Test
  void headersGivenAsAMapAreCheckedToo() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-ok", "1");
    headers.put("x-bad", "a\rb");
    assertThatThrownBy(() -> new DirectResponse(200, headers, "")).hasMessageStartingWith("header 'x-bad' has the value");
    assertThatThrownBy(() -> new GatewayError(ErrorCode.FORBIDDEN, 403, "No", "", GatewayError.Source.PLUGIN, headers))
        .hasMessageStartingWith("header 'x-bad' has the value");
  }

  @Test
  void aStatusMustBeAFinalOne() {
    assertThatThrownBy(() -> DirectResponse.of(101)).hasMessage("status 101 (expected: 200..599, a final response)");
    assertThatThrownBy(() -> DirectResponse.of(600)).hasMessage("status 600 (expected: 200..599, a final response)");
    assertThatThrownBy(() -> GatewayError.of(ErrorCode.FORBIDDEN, "No").withStatus(1000))
        .hasMessage("status 1000 (expected: 200..599, a final response)");
    assertThatThrownBy(() -> DirectResponse.of(200).withBody(null)).hasMessage("body: null (expected: a string, possibly empty)");
  }

  @Test
  void aBodyIsTextOrBytesAndBytesAreSharedReadOnly() {
    byte[] stored = {1, 2, 3, 4};
    DirectResponse response = DirectResponse.of(200).withBytes(java.nio.ByteBuffer.wrap(stored, 1, 2));

    assertThat(response.bytes().isReadOnly()).isTrue();
    assertThat(response.bytes().remaining()).isEqualTo(2);
    assertThat(response.withHeader("x", "1").bytes()).as("kept by withHeader").isEqualTo(response.bytes());
    assertThat(response.withBody("text").bytes()).isNull();
    assertThatThrownBy(() -> new DirectResponse(200, Map.of(), "text", java.nio.ByteBuffer.wrap(stored)))
        .hasMessage("a body as text and as bytes (expected: one of them)");
    assertThatThrownBy(() -> DirectResponse.of(200).withBytes(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void headersKeepTheirOrder() {
    DirectResponse response = DirectResponse.of(204).withHeader("b", "1").withHeader("a", "2").withHeader("c", "3");
    assertThat(response.headers().keySet()).containsExactly("b", "a", "c");
  }
}
