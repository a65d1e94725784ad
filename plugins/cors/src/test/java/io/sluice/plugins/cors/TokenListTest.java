package io.sluice.plugins.cors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenListTest {

  static final String[] ALLOWED = {"x-custom", "content-type"};

  @Test
  void findsTheFirstElementNotAllowed() {
    assertThat(TokenList.firstNotIn("X-Custom, content-type", ALLOWED)).isNull();
    assertThat(TokenList.firstNotIn("x-custom,\tX-Secret ,content-type", ALLOWED)).isEqualTo("X-Secret");
    assertThat(TokenList.firstNotIn("x-custom, x-custom-2", ALLOWED)).isEqualTo("x-custom-2");
    assertThat(TokenList.firstNotIn("x-custo", ALLOWED)).isEqualTo("x-custo");
  }

  @Test
  void skipsEmptyElements() {
    assertThat(TokenList.firstNotIn(", ,x-custom,,", ALLOWED)).isNull();
    assertThat(TokenList.firstNotIn("", ALLOWED)).isNull();
    assertThat(TokenList.isEmpty(" ,\t, ")).isTrue();
    assertThat(TokenList.isEmpty(" , a")).isFalse();
  }

  @Test
  void findsAnyOfSomeTokensIgnoringCase() {
    String[] originOrStar = {"origin", "*"};

    assertThat(TokenList.containsAny("Accept-Encoding, ORIGIN", originOrStar)).isTrue();
    assertThat(TokenList.containsAny("*", originOrStar)).isTrue();
    assertThat(TokenList.containsAny("X-Origin, Origins, accept", originOrStar)).isFalse();
    assertThat(TokenList.containsAny("", originOrStar)).isFalse();
  }

  @Test
  void knowsTokens() {
    assertThat(TokenList.isToken("X-Custom_1.v2")).isTrue();
    assertThat(TokenList.isToken("x custom")).isFalse();
    assertThat(TokenList.isToken("x:custom")).isFalse();
    assertThat(TokenList.isToken("")).isFalse();
  }
}
