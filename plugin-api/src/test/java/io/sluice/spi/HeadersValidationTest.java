package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeadersValidationTest {

  @Test
  void namesAreTokens() {
    assertThat(Headers.isValidName("X-RateLimit-Remaining")).isTrue();
    assertThat(Headers.isValidName("!#$%&'*+-.^_`|~09azAZ")).isTrue();
    assertThat(Headers.isValidName("")).isFalse();
    assertThat(Headers.isValidName(null)).isFalse();
    for (char c : "\"(),/:;<=>?@[\\]{} \t\r\n\u007f\u0080\u00ff\u0100".toCharArray()) {
      assertThat(Headers.isValidName("x" + c)).as("name with U+%04X", (int) c).isFalse();
    }
  }

  @Test
  void valuesAreFieldContent() {
    assertThat(Headers.isValidValue("")).isTrue();
    assertThat(Headers.isValidValue("\"default\";r=99;t=1, text/html; q=0.9\t(x)")).isTrue();
    assertThat(Headers.isValidValue("caf\u00e9 \u0080\u00ff")).isTrue(); // obs-text
    assertThat(Headers.isValidValue(null)).isFalse();
    for (int c = 0; c < 0x20; c++) {
      assertThat(Headers.isValidValue("a" + (char) c + "b")).as("value with U+%04X", c).isEqualTo(c == '\t');
    }
    assertThat(Headers.isValidValue("a\u007fb")).isFalse();
    assertThat(Headers.isValidValue("a\u0100b")).isFalse();
    assertThat(Headers.isValidValue("\u20ac")).isFalse();
    assertThat(Headers.isValidValue(" leading")).isFalse();
    assertThat(Headers.isValidValue("\tleading")).isFalse();
    assertThat(Headers.isValidValue("trailing ")).isTrue();
  }
}
