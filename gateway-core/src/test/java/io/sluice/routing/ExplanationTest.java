package io.sluice.routing;

import static io.sluice.routing.RouteFixture.get;
import static io.sluice.routing.RouteFixture.request;
import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ValueMatch;
import io.sluice.routing.Explanation.Check;
import io.sluice.routing.Explanation.Subject;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ExplanationTest {

  private final RouteTable table = table(
      route("catch-all").path("/**"),
      route("users").hosts("api.example.com").path("/users/{id}").methods("GET", "POST"),
      route("users-canary").hosts("api.example.com").path("/users/{id}").methods("GET")
          .header(ValueMatch.exact("x-env", "canary")).query(ValueMatch.regex("v", Pattern.compile("[0-9]+"))),
      route("admin").path("/admin/**"));

  @Test
  void listsEveryRouteInTheOrderTriedWithEachCondition() {
    Explanation explanation = table.explain(get("/users/42?v=2").host("api.example.com").header("x-env", "prod").input());

    assertThat(explanation.verdicts()).extracting(v -> v.route().id())
        .containsExactly("users-canary", "users", "admin", "catch-all");
    assertThat(explanation.verdicts().get(0).checks()).containsExactly(
        new Check(Subject.HOST, "host api.example.com", true),
        new Check(Subject.PATH, "path /users/{id}", true),
        new Check(Subject.METHOD, "method GET", true),
        new Check(Subject.HEADER, "header x-env = \"canary\"", false),
        new Check(Subject.QUERY, "query v ~ /[0-9]+/", true));
    assertThat(explanation.verdicts().get(2).checks()).containsExactly(new Check(Subject.PATH, "path /admin/**", false));
  }

  @Test
  void namesTheWinnerAndTheRoutesItShadows() {
    Explanation explanation = table.explain(get("/users/42").host("api.example.com").input());

    assertThat(explanation.winner()).get().extracting(CompiledRoute::id).isEqualTo("users");
    assertThat(explanation.shadowedByWinner()).extracting(CompiledRoute::id).containsExactly("catch-all");
    assertThat(explanation.result()).isEqualTo(table.match(get("/users/42").host("api.example.com").input()));
  }

  @Test
  void agreesWithMatchOn405() {
    RouteTable table = table(route("read").path("/x").methods("GET"));

    Explanation explanation = table.explain(request("DELETE", "/x").input());

    assertThat(explanation.winner()).isEmpty();
    assertThat(explanation.result()).isEqualTo(table.match(request("DELETE", "/x").input()));
    assertThat(explanation.result()).isInstanceOf(RouteMatchResult.MethodNotAllowed.class);
  }

  @Test
  void ordersRoutesByTheHostConditionThatHeldForThisRequest() {
    RouteTable table = table(
        route("both").hosts("a.example.com", "*.shop.com").path("/**"),
        route("shop-path").hosts("*.shop.com").path("/cart"));

    Explanation explanation = table.explain(get("/cart").host("eu.shop.com").input());

    assertThat(explanation.verdicts()).extracting(v -> v.route().id()).containsExactly("shop-path", "both");
    assertThat(table.routes()).extracting(CompiledRoute::id).containsExactly("both", "shop-path");
  }

  @Test
  void rendersAReadableReport() {
    String report = table.explain(get("/users/42").host("api.example.com").input()).render();

    assertThat(report).isEqualTo("""
        GET api.example.com /users/42
        result: route users with {id=42}
        also matched, lost on priority: catch-all
          1. users-canary (sluice.yaml:18:5): no match
               ok    host api.example.com
               ok    path /users/{id}
               ok    method GET
               FAIL  header x-env = "canary"
               FAIL  query v ~ /[0-9]+/
          2. users (sluice.yaml:14:5): WINS
               ok    host api.example.com
               ok    path /users/{id}
               ok    method GET | POST
          3. admin (sluice.yaml:22:5): no match
               FAIL  path /admin/**
          4. catch-all (sluice.yaml:10:5): matches, loses to users
               ok    path /**
        """);
  }

  @Test
  void rendersMisses() {
    assertThat(table.explain(get("/nothing").input()).render()).startsWith("""
        GET (no host) /nothing
        result: route catch-all
        """);
    assertThat(table(route("a").path("/a")).explain(get("/b").input()).render()).contains("result: 404 no route");
    assertThat(table(route("a").path("/a").methods("PUT")).explain(get("/a").input()).render())
        .contains("result: 405 method not allowed (Allow: PUT)");
  }
}
