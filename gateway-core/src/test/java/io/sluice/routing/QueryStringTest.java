package io.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one lenient reading of a query string, shared by route conditions and plugins. */
class QueryStringTest {

  @Test
  void malformedEscapesAreKeptAsWritten() {
    assertThat(QueryString.parse("a=%zz&b=%4&c=%&d=50%25&e=%%41")).containsExactly(
        Map.entry("a", List.of("%zz")),
        Map.entry("b", List.of("%4")),
        Map.entry("c", List.of("%")),
        Map.entry("d", List.of("50%")),
        Map.entry("e", List.of("%A")));
    assertThat(QueryString.decode("%")).isEqualTo("%");
    assertThat(QueryString.decode("ab%2")).isEqualTo("ab%2");
  }

  @Test
  void plusIsASpaceAndAnEscapedPlusIsAPlus() {
    assertThat(QueryString.parse("q=a+b&r=a%2Bb&s=+")).containsExactly(
        Map.entry("q", List.of("a b")), Map.entry("r", List.of("a+b")), Map.entry("s", List.of(" ")));
  }

  @Test
  void emptyValuesAndNamesWithoutValuesAreEmptyStrings() {
    assertThat(QueryString.parse("a=&b&=c&&d==")).containsExactly(
        Map.entry("a", List.of("")), Map.entry("b", List.of("")), Map.entry("", List.of("c")), Map.entry("d", List.of("=")));
    assertThat(QueryString.parse("")).isEmpty();
    assertThat(QueryString.parse(null)).isEmpty();
    assertThat(QueryString.parse("&&")).isEmpty();
  }

  @Test
  void aRepeatedNameKeepsEveryValueInOrder() {
    Map<String, List<String>> params = QueryString.parse("tag=b&x=1&tag=a&tag=b");
    assertThat(params.get("tag")).containsExactly("b", "a", "b");
    assertThat(params.keySet()).containsExactly("tag", "x");
  }

  @Test
  void escapesAreUtf8AndBytesThatAreNotBecomeTheReplacementCharacter() {
    assertThat(QueryString.decode("%E2%82%AC%20%C3%A9")).isEqualTo("\u20ac \u00e9");
    assertThat(QueryString.decode("%FF%FEx")).isEqualTo("\ufffd\ufffdx");
    assertThat(QueryString.decode("%E2%82")).as("a cut sequence").isEqualTo("\ufffd");
    assertThat(QueryString.decode("%C3")).isEqualTo("\ufffd");
    // raw octets of a request target (read as ISO-8859-1) are bytes like escaped ones
    assertThat(QueryString.decode("\u00c3\u00a9")).isEqualTo("\u00e9");
    // text given as Java text (the CLI) keeps its characters
    assertThat(QueryString.decode("\u20ac\ud83d\ude00")).isEqualTo("\u20ac\ud83d\ude00");
  }

  @Test
  void namesAreDecodedLikeValuesAndOnlyTheAmpersandSeparates() {
    assertThat(QueryString.parse("a%20b=1;c=2")).containsExactly(Map.entry("a b", List.of("1;c=2")));
  }

  @Test
  void whatItReturnsCannotBeChanged() {
    Map<String, List<String>> params = QueryString.parse("a=1");
    assertThat(params).isUnmodifiable();
    assertThat(params.get("a")).isUnmodifiable();
  }

  @Test
  void routeConditionsReadTheQueryTheSameWay() {
    MatchInput input = MatchInput.of("GET", "x", "/", Map.of(), "t=%zz&t=a+b");
    assertThat(input.queryValues("t")).containsExactly("%zz", "a b");
  }
}
