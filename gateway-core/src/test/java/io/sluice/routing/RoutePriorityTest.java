package io.sluice.routing;

import static io.sluice.routing.RouteFixture.get;
import static io.sluice.routing.RouteFixture.outcome;
import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ValueMatch;
import org.junit.jupiter.api.Test;

/** One section per level of the specificity rule in docs/routing.md. */
class RoutePriorityTest {

  // 1. host
  private final RouteTable hosts = table(
      route("any").path("/x"),
      route("wide").hosts("*.com").path("/x"),
      route("narrow").hosts("*.example.com").path("/x"),
      route("exact").hosts("api.example.com").path("/x"));

  @Test
  void exactHostBeatsWildcards() {
    assertThat(outcome(hosts, get("/x").host("api.example.com"))).isEqualTo("exact");
  }

  @Test
  void longerWildcardSuffixBeatsShorter() {
    assertThat(outcome(hosts, get("/x").host("web.example.com"))).isEqualTo("narrow");
  }

  @Test
  void anyWildcardBeatsNoHostCondition() {
    assertThat(outcome(hosts, get("/x").host("shop.com"))).isEqualTo("wide");
    assertThat(outcome(hosts, get("/x").host("localhost"))).isEqualTo("any");
  }

  @Test
  void hostOutranksPath() {
    RouteTable table = table(route("specific-path").path("/a/b"), route("host-glob").hosts("api.example.com").path("/**"));

    assertThat(outcome(table, get("/a/b").host("api.example.com"))).isEqualTo("host-glob");
  }

  @Test
  void aRouteWithSeveralHostsRanksByTheOneThatMatched() {
    RouteTable table = table(
        route("both").hosts("a.example.com", "*.shop.com").path("/**"),
        route("shop-path").hosts("*.shop.com").path("/cart"));

    assertThat(outcome(table, get("/cart").host("eu.shop.com"))).isEqualTo("shop-path");
    assertThat(outcome(table, get("/cart").host("a.example.com"))).isEqualTo("both");
  }

  @Test
  void routesListsTheMostSpecificHostFirst() {
    assertThat(hosts.routes()).extracting(CompiledRoute::id).containsExactly("exact", "narrow", "wide", "any");
    assertThat(hosts.routes()).extracting(CompiledRoute::priority).containsExactly(0, 1, 2, 3);
  }

  // 2. path
  @Test
  void literalBeatsParameterAtTheFirstDifference() {
    RouteTable table = table(
        route("param-first").path("/{a}/b/c"),
        route("literal-first").path("/a/{b}/{c}"),
        route("literal-deeper").path("/a/{b}/c"));

    assertThat(outcome(table, get("/a/b/c"))).isEqualTo("literal-deeper");
    assertThat(outcome(table, get("/a/b/x"))).isEqualTo("literal-first");
    assertThat(outcome(table, get("/z/b/c"))).isEqualTo("param-first");
  }

  @Test
  void wildcardAndParameterRankAlike() {
    RouteTable table = table(route("star").path("/files/*"), route("param").path("/files/{name}"));

    assertThat(outcome(table, get("/files/a"))).isEqualTo("star");
  }

  @Test
  void exactPathBeatsGlobOverIt() {
    RouteTable table = table(route("glob").path("/a/**"), route("exact").path("/a/b"));

    assertThat(outcome(table, get("/a/b"))).isEqualTo("exact");
    assertThat(outcome(table, get("/a/c"))).isEqualTo("glob");
  }

  @Test
  void longerGlobBeatsShorterGlob() {
    RouteTable table = table(route("short").path("/a/**"), route("long").path("/a/b/**"));

    assertThat(outcome(table, get("/a/b/c"))).isEqualTo("long");
    assertThat(outcome(table, get("/a/b"))).isEqualTo("long");
    assertThat(outcome(table, get("/a/x/c"))).isEqualTo("short");
  }

  @Test
  void parameterSegmentBeatsGlobAtTheSamePlace() {
    RouteTable table = table(route("glob").path("/a/**"), route("param").path("/a/{id}"));

    assertThat(outcome(table, get("/a/1"))).isEqualTo("param");
    assertThat(outcome(table, get("/a/1/2"))).isEqualTo("glob");
  }

  @Test
  void nonGlobBeatsGlobOfTheSameStructure() {
    RouteTable table = table(route("glob").path("/a/**"), route("exact").path("/a"));

    assertThat(outcome(table, get("/a"))).isEqualTo("exact");
  }

  @Test
  void literalBeforeAGlobBeatsParameterFurtherLeft() {
    RouteTable table = table(route("param").path("/{x}"), route("glob").path("/a/**"));

    assertThat(outcome(table, get("/a"))).isEqualTo("glob");
  }

  @Test
  void fallsBackToTheParameterBranchWhenTheLiteralBranchFails() {
    RouteTable table = table(route("literal").path("/a/b").methods("POST"), route("param").path("/{x}/b"));

    assertThat(outcome(table, get("/a/b"))).isEqualTo("param");
  }

  @Test
  void routesListsPathsBySpecificity() {
    RouteTable table = table(
        route("catch-all").path("/**"),
        route("glob").path("/a/**"),
        route("param").path("/a/{id}"),
        route("exact").path("/a/b"),
        route("root").path("/"));

    assertThat(table.routes()).extracting(CompiledRoute::id).containsExactly("exact", "param", "glob", "root", "catch-all");
  }

  // 3. conditions
  @Test
  void aMethodListBeatsNone() {
    RouteTable table = table(route("any-method").path("/x"), route("get").path("/x").methods("GET"));

    assertThat(outcome(table, get("/x"))).isEqualTo("get");
  }

  @Test
  void aMethodListBeatsMoreHeaderConditions() {
    RouteTable table = table(
        route("header").path("/x").header(ValueMatch.present("x-a")).header(ValueMatch.present("x-b")),
        route("get").path("/x").methods("GET"));

    assertThat(outcome(table, get("/x").header("x-a", "1").header("x-b", "2"))).isEqualTo("get");
  }

  @Test
  void moreHeaderAndQueryConditionsWin() {
    RouteTable table = table(
        route("one").path("/x").header(ValueMatch.present("x-a")),
        route("two").path("/x").header(ValueMatch.present("x-a")).query(ValueMatch.present("q")));

    assertThat(outcome(table, get("/x?q=1").header("x-a", "1"))).isEqualTo("two");
    assertThat(outcome(table, get("/x").header("x-a", "1"))).isEqualTo("one");
  }

  @Test
  void pathOutranksConditions() {
    RouteTable table = table(route("conditions").path("/{x}").methods("GET").header(ValueMatch.present("x-a")),
        route("literal").path("/a"));

    assertThat(outcome(table, get("/a").header("x-a", "1"))).isEqualTo("literal");
  }

  // 4. position in the file
  @Test
  void earlierInTheFileWinsATie() {
    RouteTable table = table(route("first").path("/x"), route("second").path("/x"));

    assertThat(outcome(table, get("/x"))).isEqualTo("first");
    assertThat(table.routes()).extracting(CompiledRoute::id).containsExactly("first", "second");
  }

  @Test
  void theIndexDecidesNotTheListOrder() {
    var first = route("first").path("/x").build(0);
    var second = route("second").path("/x").build(1);

    RouteTable table = RouteTable.compile(java.util.List.of(second, first));

    assertThat(table.match(get("/x").input())).isInstanceOfSatisfying(RouteMatchResult.Matched.class,
        matched -> assertThat(matched.route().id()).isEqualTo("first"));
  }
}
