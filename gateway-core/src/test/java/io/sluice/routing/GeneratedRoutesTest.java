package io.sluice.routing;

import static io.sluice.routing.RouteFixture.outcome;
import static io.sluice.routing.RouteFixture.request;
import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ValueMatch;
import io.sluice.routing.RouteFixture.RequestBuilder;
import io.sluice.routing.RouteFixture.RouteBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Large generated tables: every route is still reachable, and the index agrees with a route-by-route scan. */
class GeneratedRoutesTest {

  private static final int ROUTES = 10_000;

  @Test
  void everyOneOfTenThousandRoutesIsReachable() {
    List<RouteBuilder> routes = new ArrayList<>();
    List<RequestBuilder> requests = new ArrayList<>();
    for (int i = 0; i < ROUTES; i++) {
      String host = switch (i % 3) {
        case 0 -> "";
        case 1 -> "h" + (i % 50) + ".example.com";
        default -> "x.zone" + (i % 20) + ".example.com";
      };
      RouteBuilder route = route("r" + i);
      if (i % 3 == 1) {
        route.hosts(host);
      } else if (i % 3 == 2) {
        route.hosts("*.zone" + (i % 20) + ".example.com");
      }
      switch (i % 4) {
        case 0 -> {
          route.path("/s" + i + "/items");
          requests.add(request("GET", "/s" + i + "/items"));
        }
        case 1 -> {
          route.path("/s" + i + "/items/{id}/detail").methods("GET");
          requests.add(request("GET", "/s" + i + "/items/" + i + "/detail"));
        }
        case 2 -> {
          route.path("/s" + i + "/files/**").methods("PUT");
          requests.add(request("PUT", "/s" + i + "/files/a/b/c"));
        }
        default -> {
          route.path("/s" + i + "/*").header(ValueMatch.exact("x-tenant", "t" + i));
          requests.add(request("GET", "/s" + i + "/any").header("x-tenant", "t" + i));
        }
      }
      requests.get(i).host(host);
      routes.add(route);
    }
    RouteTable table = table(routes.toArray(RouteBuilder[]::new));

    for (int i = 0; i < ROUTES; i++) {
      assertThat(outcome(table, requests.get(i))).as("request %d", i).isEqualTo("r" + i);
    }
    assertThat(outcome(table, request("GET", "/s" + ROUTES + "/items"))).isEqualTo("404");
    assertThat(outcome(table, request("GET", "/s2/files/x").host("x.zone2.example.com"))).isEqualTo("405 [PUT]");
  }

  @Test
  void indexAgreesWithARouteByRouteScanOnTenThousandOverlappingRoutes() {
    Map<String, Integer> outcomes = crossCheck(ROUTES, 150, new Random(20240611));

    // Many different winners, so the comparison is not only about one catch-all route.
    assertThat(outcomes.keySet().stream().filter(o -> o.startsWith("r")).count()).isGreaterThan(30);
  }

  @Test
  void indexAgreesWithARouteByRouteScanOnMissesAnd405s() {
    Map<String, Integer> outcomes = new HashMap<>();
    Random random = new Random(7);
    for (int table = 0; table < 20; table++) {
      crossCheck(40, 100, random).forEach((outcome, count) -> outcomes.merge(outcome.replaceAll("^r[0-9]+$", "matched"), count, Integer::sum));
    }

    assertThat(outcomes).containsKeys("matched", "404");
    assertThat(outcomes.keySet()).anyMatch(outcome -> outcome.startsWith("405"));
  }

  /** Compares match() with explain() on random requests; returns how often each outcome occurred. */
  private static Map<String, Integer> crossCheck(int routeCount, int requestCount, Random random) {
    List<RouteBuilder> routes = new ArrayList<>();
    for (int i = 0; i < routeCount; i++) {
      routes.add(randomRoute(random, "r" + i));
    }
    RouteTable table = table(routes.toArray(RouteBuilder[]::new));
    Map<String, Integer> outcomes = new HashMap<>();
    for (int i = 0; i < requestCount; i++) {
      RequestBuilder request = randomRequest(random);
      MatchInput input = request.input();
      assertThat(table.match(input)).as("request %s %s %s", input.method(), input.host(), input.path())
          .isEqualTo(table.explain(input).result());
      outcomes.merge(outcome(table, request), 1, Integer::sum);
    }
    return outcomes;
  }

  private static final String[] SEGMENTS = {"a", "b", "c", "{p}", "*"};
  private static final String[] HOSTS = {"a.example.com", "*.example.com", "*.b.example.com", "b.example.com"};
  private static final String[] METHODS = {"GET", "POST", "PUT"};

  private static RouteBuilder randomRoute(Random random, String id) {
    StringBuilder path = new StringBuilder();
    int depth = random.nextInt(5);
    for (int d = 0; d < depth; d++) {
      path.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
    }
    boolean glob = random.nextInt(3) == 0;
    String pattern = glob ? path + "/**" : path.isEmpty() ? "/" : path.toString();
    RouteBuilder route = route(id).path(pattern.replace("{p}", "{p" + depth + "}"));
    if (random.nextInt(3) == 0) {
      route.hosts(HOSTS[random.nextInt(HOSTS.length)]);
    }
    if (random.nextInt(4) == 0) {
      route.methods(METHODS[random.nextInt(METHODS.length)]);
    }
    if (random.nextInt(8) == 0) {
      route.header(ValueMatch.exact("x-env", random.nextBoolean() ? "canary" : "prod"));
    }
    if (random.nextInt(8) == 0) {
      route.query(random.nextBoolean() ? ValueMatch.present("debug") : ValueMatch.absent("debug"));
    }
    return route;
  }

  private static RequestBuilder randomRequest(Random random) {
    StringBuilder path = new StringBuilder();
    int depth = random.nextInt(6);
    for (int d = 0; d < depth; d++) {
      path.append('/').append("abcdz".charAt(random.nextInt(5)));
    }
    if (random.nextInt(6) == 0) {
      path.append('/');
    }
    String query = random.nextBoolean() ? "?debug=1" : "";
    RequestBuilder request = request(METHODS[random.nextInt(METHODS.length)], (path.isEmpty() ? "/" : path) + query);
    request.host(new String[] {"a.example.com", "x.b.example.com", "b.example.com", "example.com", ""}[random.nextInt(5)]);
    if (random.nextBoolean()) {
      request.header("x-env", random.nextBoolean() ? "canary" : "prod");
    }
    return request;
  }
}
