package io.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatchInputTest {

  @Test
  void parsesAndDecodesTheQuery() {
    MatchInput input = MatchInput.of("GET", "", "/", Map.of(), "a=1&a=2&b&c=&&x%20y=caf%C3%A9+au+lait&bad=%zz%4");

    assertThat(input.queryValues("a")).containsExactly("1", "2");
    assertThat(input.queryParam("a")).isEqualTo("1");
    assertThat(input.queryParam("b")).isEmpty();
    assertThat(input.queryParam("c")).isEmpty();
    assertThat(input.queryParam("x y")).isEqualTo("café au lait");
    assertThat(input.queryParam("bad")).isEqualTo("%zz%4");
    assertThat(input.queryParam("missing")).isNull();
    assertThat(input.queryValues("missing")).isEmpty();
  }

  @Test
  void looksUpHeadersByLowerCaseName() {
    MatchInput input = MatchInput.of("GET", "", "/", Map.of("X-Env", List.of("a", "b")), "");

    assertThat(input.header("x-env")).isEqualTo("a");
    assertThat(input.headerValues("x-env")).containsExactly("a", "b");
    assertThat(input.header("x-other")).isNull();
  }
}
