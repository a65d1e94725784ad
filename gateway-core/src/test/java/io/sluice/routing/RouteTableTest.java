package io.sluice.routing;

import static io.sluice.routing.RouteFixture.get;
import static io.sluice.routing.RouteFixture.outcome;
import static io.sluice.routing.RouteFixture.request;
import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ValueMatch;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  @Test
  void wildcardHostMatchesOneOrMoreLabelsButNotTheBareSuffix() {
    RouteTable table = table(route("wild").hosts("*.example.com").path("/**"));

    assertThat(outcome(table, get("/").host("a.example.com"))).isEqualTo("wild");
    assertThat(outcome(table, get("/").host("a.b.example.com"))).isEqualTo("wild");
    assertThat(outcome(table, get("/").host("example.com"))).isEqualTo("404");
    assertThat(outcome(table, get("/").host(".example.com"))).isEqualTo("404");
    assertThat(outcome(table, get("/").host("badexample.com"))).isEqualTo("404");
    assertThat(outcome(table, get("/").host(""))).isEqualTo("404");
  }

  @Test
  void exactHostMatchesOnlyThatHost() {
    RouteTable table = table(route("api").hosts("api.example.com").path("/**"));

    assertThat(outcome(table, get("/").host("api.example.com"))).isEqualTo("api");
    assertThat(outcome(table, get("/").host("x.api.example.com"))).isEqualTo("404");
    assertThat(outcome(table, get("/").host("example.com"))).isEqualTo("404");
  }

  @Test
  void capturesPathParameters() {
    RouteTable table = table(route("order").path("/users/{user}/orders/{order}"));

    RouteMatchResult result = table.match(get("/users/42/orders/a%20b").input());

    assertThat(result).isInstanceOfSatisfying(RouteMatchResult.Matched.class, matched -> {
      assertThat(matched.params().asMap()).containsExactly(Map.entry("user", "42"), Map.entry("order", "a%20b"));
      assertThat(matched.params().get("order")).isEqualTo("a%20b");
      assertThat(matched.params().get("missing")).isNull();
    });
  }

  @Test
  void routesWithoutParametersShareOneResult() {
    RouteTable table = table(route("plain").path("/a/b"));

    assertThat(table.match(get("/a/b").input())).isSameAs(table.match(get("/a/b").input()));
    assertThat(((RouteMatchResult.Matched) table.match(get("/a/b").input())).params()).isSameAs(PathParams.EMPTY);
  }

  @Test
  void parametersAndWildcardsNeedANonEmptySegment() {
    RouteTable table = table(route("param").path("/users/{id}"), route("star").path("/files/*"));

    assertThat(outcome(table, get("/users/7"))).isEqualTo("param");
    assertThat(outcome(table, get("/users/"))).isEqualTo("404");
    assertThat(outcome(table, get("/users"))).isEqualTo("404");
    assertThat(outcome(table, get("/users/7/x"))).isEqualTo("404");
    assertThat(outcome(table, get("/files/a.txt"))).isEqualTo("star");
    assertThat(outcome(table, get("/files/"))).isEqualTo("404");
  }

  @Test
  void globMatchesTheBarePrefixAndEverythingBelowButNotALongerName() {
    RouteTable table = table(route("api").path("/api/**"));

    assertThat(outcome(table, get("/api"))).isEqualTo("api");
    assertThat(outcome(table, get("/api/"))).isEqualTo("api");
    assertThat(outcome(table, get("/api/x/y/z"))).isEqualTo("api");
    assertThat(outcome(table, get("/apix"))).isEqualTo("404");
    assertThat(outcome(table, get("/"))).isEqualTo("404");
  }

  @Test
  void rootGlobMatchesEveryPath() {
    RouteTable table = table(route("all").path("/**"));

    assertThat(outcome(table, get("/"))).isEqualTo("all");
    assertThat(outcome(table, get("/a/b/c"))).isEqualTo("all");
  }

  @Test
  void exactPathsAreStrictAboutTheTrailingSlash() {
    RouteTable table = table(route("root").path("/"), route("users").path("/users"), route("slash").path("/docs/"));

    assertThat(outcome(table, get("/"))).isEqualTo("root");
    assertThat(outcome(table, get("/users"))).isEqualTo("users");
    assertThat(outcome(table, get("/users/"))).isEqualTo("404");
    assertThat(outcome(table, get("/docs/"))).isEqualTo("slash");
    assertThat(outcome(table, get("/docs"))).isEqualTo("404");
  }

  @Test
  void literalSegmentsAreCaseSensitive() {
    RouteTable table = table(route("admin").path("/admin"));

    assertThat(outcome(table, get("/ADMIN"))).isEqualTo("404");
  }

  @Test
  void pathsThatDoNotStartWithASlashMatchNothing() {
    RouteTable table = table(route("root").path("/"), route("all").path("/**"));

    assertThat(outcome(table, request("OPTIONS", "*"))).isEqualTo("404");
    assertThat(outcome(table, get(""))).isEqualTo("404");
  }

  @Test
  void wrongMethodGives405WithTheUnionOfAllowedMethods() {
    RouteTable table = table(
        route("read").path("/users/{id}").methods("GET", "HEAD"),
        route("write").path("/users/*").methods("PUT", "DELETE"),
        route("other-host").hosts("admin.example.com").path("/users/{id}").methods("PATCH"),
        route("needs-header").path("/users/{id}").methods("POST").header(ValueMatch.present("x-admin")));

    assertThat(outcome(table, request("POST", "/users/1"))).isEqualTo("405 [DELETE, GET, HEAD, PUT]");
    assertThat(outcome(table, request("POST", "/users/1").header("x-admin", "yes"))).isEqualTo("needs-header");
    assertThat(outcome(table, request("POST", "/orders/1"))).isEqualTo("404");
  }

  @Test
  void noRouteWinsOverMethodNotAllowedWhenAnotherRouteMatchesFully() {
    RouteTable table = table(route("get").path("/x").methods("GET"), route("fallback").path("/**"));

    assertThat(outcome(table, request("DELETE", "/x"))).isEqualTo("fallback");
  }

  @Test
  void headerConditions() {
    RouteTable table = table(
        route("canary").path("/x").header(ValueMatch.exact("x-env", "canary")),
        route("versioned").path("/x").header(ValueMatch.regex("x-version", Pattern.compile("v[0-9]+"))),
        route("traced").path("/x").header(ValueMatch.present("x-trace")),
        route("anonymous").path("/x").header(ValueMatch.absent("authorization")));

    assertThat(outcome(table, get("/x").header("X-Env", "canary"))).isEqualTo("canary");
    assertThat(outcome(table, get("/x").header("x-version", "v12").header("authorization", "t"))).isEqualTo("versioned");
    assertThat(outcome(table, get("/x").header("x-version", "v12x").header("x-trace", "1").header("authorization", "t")))
        .isEqualTo("traced");
    assertThat(outcome(table, get("/x"))).isEqualTo("anonymous");
    assertThat(outcome(table, get("/x").header("authorization", "t"))).isEqualTo("404");
  }

  @Test
  void aRepeatedHeaderSatisfiesAConditionWhenAnyValueDoes() {
    RouteTable table = table(
        route("exact").path("/x").header(ValueMatch.exact("x-env", "canary")),
        route("regex").path("/y").header(ValueMatch.regex("x-env", Pattern.compile("can.*"))));

    assertThat(outcome(table, get("/x").header("x-env", "prod").header("x-env", "canary"))).isEqualTo("exact");
    assertThat(outcome(table, get("/y").header("x-env", "prod").header("x-env", "canary"))).isEqualTo("regex");
    assertThat(outcome(table, get("/x").header("x-env", "prod").header("x-env", "test"))).isEqualTo("404");
  }

  @Test
  void regexMustMatchTheWholeValue() {
    RouteTable table = table(route("v").path("/x").header(ValueMatch.regex("x-v", Pattern.compile("v[0-9]"))));

    assertThat(outcome(table, get("/x").header("x-v", "v1"))).isEqualTo("v");
    assertThat(outcome(table, get("/x").header("x-v", "v12"))).isEqualTo("404");
  }

  @Test
  void queryConditions() {
    RouteTable table = table(
        route("debug").path("/x").query(ValueMatch.exact("mode", "debug mode")),
        route("any-value").path("/x").query(ValueMatch.present("mode")),
        route("no-value").path("/x").query(ValueMatch.absent("mode")));

    assertThat(outcome(table, get("/x?mode=debug+mode"))).isEqualTo("debug");
    assertThat(outcome(table, get("/x?mode=debug%20mode"))).isEqualTo("debug");
    assertThat(outcome(table, get("/x?other=1&mode=fast&mode=debug+mode"))).isEqualTo("debug");
    assertThat(outcome(table, get("/x?mode=fast"))).isEqualTo("any-value");
    assertThat(outcome(table, get("/x?mode"))).isEqualTo("any-value");
    assertThat(outcome(table, get("/x?modes=1"))).isEqualTo("no-value");
  }

  @Test
  void compilesAnEmptyTable() {
    RouteTable table = RouteTable.compile(List.of());

    assertThat(table.routes()).isEmpty();
    assertThat(table.match(get("/").input())).isEqualTo(RouteMatchResult.NO_ROUTE);
  }

  @Test
  void manyLiteralSiblingsAreAllFound() {
    RouteFixture.RouteBuilder[] routes = new RouteFixture.RouteBuilder[500];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = route("r" + i).path("/s/" + Integer.toString(i * 7919, 36));
    }
    RouteTable table = table(routes);

    for (int i = 0; i < routes.length; i++) {
      assertThat(outcome(table, get("/s/" + Integer.toString(i * 7919, 36)))).isEqualTo("r" + i);
    }
    assertThat(outcome(table, get("/s/" + Integer.toString(-1, 36)))).isEqualTo("404");
  }
}
