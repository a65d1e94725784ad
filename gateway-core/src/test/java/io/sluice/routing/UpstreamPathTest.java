package io.sluice.routing;

import static io.sluice.routing.RouteFixture.get;
import static io.sluice.routing.RouteFixture.route;
import static io.sluice.routing.RouteFixture.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.Rewrite;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UpstreamPathTest {

  /** The upstream path for a request matched by a single route with the given pattern and rewrite. */
  private static String upstream(String pattern, Rewrite.Kind kind, String from, String to, String path) {
    RouteTable table = table(route("r").path(pattern).rewrite(kind, from, to));
    RouteMatchResult.Matched matched = (RouteMatchResult.Matched) table.match(get(path).input());
    return matched.route().upstreamPath(path, matched.params());
  }

  @Test
  void noRewriteKeepsThePath() {
    assertThat(upstream("/api/**", Rewrite.Kind.NONE, "", "", "/api/users")).isEqualTo("/api/users");
  }

  @ParameterizedTest(name = "strip {0} from {1} -> {2}")
  @CsvSource({
      "/api/v1,  /api/v1/users,   /users",
      "/api/v1,  /api/v1/users/,  /users/",
      "/api/v1,  /api/v1,         /",
      "/api/v1,  /api/v1/,        /",
      "/api/v1/, /api/v1/users,   /users",
      "/api/v1,  /api/v1x,        /api/v1x",
      "/api/v1,  /api/v2/users,   /api/v2/users",
      "/,        /api/v1/users,   /api/v1/users",
  })
  void stripsAPrefixAtASegmentBoundary(String prefix, String path, String expected) {
    assertThat(upstream("/**", Rewrite.Kind.STRIP_PREFIX, prefix, "", path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "replace {0} by {1} in {2} -> {3}")
  @CsvSource({
      "/v1,  /v2,        /v1/users,  /v2/users",
      "/v1,  /v2,        /v1,        /v2",
      "/v1,  /,          /v1/users,  /users",
      "/v1,  /,          /v1,        /",
      "/,    /internal,  /users,     /internal/users",
      "/v1/, /v2/,       /v1/users,  /v2/users",
      "/v1,  /v2,        /v10/users, /v10/users",
  })
  void replacesAPrefixAtASegmentBoundary(String from, String to, String path, String expected) {
    assertThat(upstream("/**", Rewrite.Kind.REPLACE_PREFIX, from, to, path)).isEqualTo(expected);
  }

  @Test
  void fillsATemplateWithPathParameters() {
    assertThat(upstream("/users/{id}/orders/{order}", Rewrite.Kind.TEMPLATE, "", "/u/{id}/o/{order}/details",
        "/users/42/orders/a%20b")).isEqualTo("/u/42/o/a%20b/details");
    assertThat(upstream("/users/{id}/orders/{order}", Rewrite.Kind.TEMPLATE, "", "/{order}{id}",
        "/users/42/orders/7")).isEqualTo("/742");
    assertThat(upstream("/health", Rewrite.Kind.TEMPLATE, "", "/status", "/health")).isEqualTo("/status");
  }

  @Test
  void rejectsATemplateNamingAnUnknownParameter() {
    assertThatThrownBy(() -> table(route("r").path("/users/{id}").rewrite(Rewrite.Kind.TEMPLATE, "", "/u/{user}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{user} is not a parameter").hasMessageContaining("[id]");
  }

  @Test
  void rejectsAnUnclosedTemplateParameter() {
    assertThatThrownBy(() -> table(route("r").path("/users/{id}").rewrite(Rewrite.Kind.TEMPLATE, "", "/u/{id")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never closed");
  }
}
