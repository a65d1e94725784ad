package io.sluice.routing;

import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ValueMatch;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ShadowingTest {

  private static List<String> shadowed(RouteTable table) {
    return table.shadowed().stream().map(s -> s.route().id() + " by " + s.by().id()).toList();
  }

  @Test
  void findsALaterDuplicate() {
    RouteTable table = table(route("first").path("/users/{id}"), route("copy").path("/users/{user}"));

    assertThat(shadowed(table)).containsExactly("copy by first");
    assertThat(table.shadowed().get(0).describe()).isEqualTo(
        "route copy (sluice.yaml:14:5) can never match: route first (sluice.yaml:10:5) is tried first"
            + " and accepts every request it accepts");
  }

  @Test
  void findsARouteWhoseMethodsAreCoveredByAnEarlierOne() {
    RouteTable table = table(route("read-write").path("/x").methods("GET", "POST"), route("read").path("/x").methods("GET"));

    assertThat(shadowed(table)).containsExactly("read by read-write");
  }

  @Test
  void findsARouteWhoseHostsAreCoveredByAnEarlierOne() {
    RouteTable table = table(
        route("two-hosts").hosts("a.example.com", "b.example.com").path("/x"),
        route("one-host").hosts("b.example.com").path("/x"));

    assertThat(shadowed(table)).containsExactly("one-host by two-hosts");
  }

  @Test
  void findsEqualRegexConditions() {
    RouteTable table = table(
        route("first").path("/x").header(ValueMatch.regex("x-v", Pattern.compile("v[0-9]"))),
        route("second").path("/x").header(ValueMatch.regex("x-v", Pattern.compile("v[0-9]"))));

    assertThat(shadowed(table)).containsExactly("second by first");
  }

  @Test
  void ignoresRoutesThatCanStillWin() {
    RouteTable table = table(
        route("all").path("/x"),
        route("get").path("/x").methods("GET"), // a method list outranks "all"
        route("header").path("/x").methods("GET").header(ValueMatch.present("x-a")), // more conditions outrank "get"
        route("other-method").path("/x").methods("PUT"),
        route("other-host").hosts("a.example.com").path("/x"),
        route("glob").path("/x/**"),
        route("other-shape").path("/{x}"),
        route("other-literal").path("/y"));

    assertThat(shadowed(table)).isEmpty();
  }

  @Test
  void aRouteWithoutHostsDoesNotShadowOneWithHosts() {
    RouteTable table = table(route("any").path("/x"), route("hosted").hosts("a.example.com").path("/x"));

    assertThat(shadowed(table)).isEmpty();
  }
}
