package io.sluice.routing;

import static io.sluice.routing.RouteFixture.get;
import static io.sluice.routing.RouteFixture.outcome;
import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.MatrixParameters;
import io.sluice.config.Rewrite;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Routes are chosen by the path without matrix parameters; the route that wins decides whether
 * it takes them, so a request can never fall through to another route because of them.
 */
class MatrixRoutingTest {

  private final RouteTable table = table(
      route("public").path("/**").matrixParameters(MatrixParameters.FORWARD),
      route("admin").path("/admin/**"),
      route("legacy").path("/legacy/**").matrixParameters(MatrixParameters.FORWARD)
          .rewrite(Rewrite.Kind.STRIP_PREFIX, "/legacy", ""),
      route("legacy-admin").path("/legacy/admin/**"),
      route("shop").path("/shop/{item}").matrixParameters(MatrixParameters.STRIP));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/admin;x/secret,             400 admin",
      "/admin/secret;x,             400 admin",
      "/admin;/secret,              400 admin",
      "/legacy/admin;x/secret,      400 legacy-admin",
      "/legacy;x/admin/secret,      400 legacy-admin",
      "/legacy/app;jsessionid=1/p,  legacy",
      "/shop/hat;color=red,         shop",
      "/other;x,                    public",
      "/admin/secret,               admin",
  })
  void theRouteForThePathWithoutParametersDecides(String path, String expected) {
    assertThat(outcome(table, get(path))).isEqualTo(expected);
  }

  @Test
  void aWrongMethodIsStill405() {
    RouteTable readOnly = table(route("read-only").path("/ro").methods("GET"));

    assertThat(outcome(readOnly, RouteFixture.request("DELETE", "/ro;x"))).isEqualTo("405 [GET]");
    assertThat(outcome(readOnly, RouteFixture.request("GET", "/ro;x"))).isEqualTo("400 read-only");
  }

  @Test
  void pathParametersAreCapturedWithoutMatrixParameters() {
    RouteMatchResult.Matched matched = (RouteMatchResult.Matched) table.match(get("/shop/hat;color=red").input());

    assertThat(matched.params().get("item")).isEqualTo("hat");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/legacy/app;jsessionid=1/p;v=2,  /app;jsessionid=1/p;v=2",
      "/legacy;x/app;y,                 /app;y",
      "/legacy;x,                       /",
      "/other;x/y;z,                    /other;x/y;z",
      "/shop/hat;color=red,             /shop/hat",
  })
  void forwardKeepsParametersOnTheSegmentsThatGoUpstreamAndStripDropsThem(String path, String upstream) {
    RouteFixture.RequestBuilder request = get(path);
    RouteMatchResult.Matched matched = (RouteMatchResult.Matched) table.match(request.input());

    assertThat(matched.route().upstreamPath(request.input().path(), request.matrixPath(), matched.params()))
        .isEqualTo(upstream);
  }

  @ParameterizedTest(name = "replace {0} by {1} in {2} -> {3}")
  @CsvSource({
      "/v1,      /v2,  /v1;a/users;b,   /v2/users;b",
      "/v1/u,    /,    /v1/u;a/7;b,     /7;b",
      "/v1,      /v2,  /v10;a/users,    /v10;a/users",
  })
  void replacePrefixCountsSegmentsNotCharacters(String from, String to, String path, String upstream) {
    RouteTable replacing = table(route("r").path("/**").matrixParameters(MatrixParameters.FORWARD)
        .rewrite(Rewrite.Kind.REPLACE_PREFIX, from, to));
    RouteFixture.RequestBuilder request = get(path);
    RouteMatchResult.Matched matched = (RouteMatchResult.Matched) replacing.match(request.input());

    assertThat(matched.route().upstreamPath(request.input().path(), request.matrixPath(), matched.params()))
        .isEqualTo(upstream);
  }

  @ParameterizedTest
  @CsvSource({"/admin;x/secret", "/legacy/app;v=1", "/other;x", "/shop/hat;x"})
  void explainGivesTheSameAnswerAsMatch(String path) {
    assertThat(table.explain(get(path).input()).result()).isEqualTo(table.match(get(path).input()));
  }

  @Test
  void explainNamesTheRouteThatRefusedTheParameters() {
    Explanation explanation = table.explain(get("/admin;x/secret").input());

    assertThat(explanation.winner()).get().extracting(CompiledRoute::id).isEqualTo("admin");
    assertThat(explanation.render()).contains("result: 400 matrix parameters refused by route admin");
  }
}
