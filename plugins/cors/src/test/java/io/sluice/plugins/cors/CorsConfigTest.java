package io.sluice.plugins.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorsConfigTest {

  /** What the config loader binds when only allow_origins is written. */
  private static CorsConfig origins(String... origins) {
    return new CorsConfig(Arrays.asList(origins), List.of(), List.of(), List.of(), false, null);
  }

  @Test
  void fillsInDefaults() {
    CorsConfig config = origins("https://app.example.com");

    assertThat(config.allowMethods()).containsExactly("GET", "HEAD", "POST");
    assertThat(config.allowHeaders()).isEmpty();
    assertThat(config.exposeHeaders()).isEmpty();
    assertThat(config.allowCredentials()).isFalse();
    assertThat(config.maxAge()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void treatsNullListsAsAbsent() {
    CorsConfig config = new CorsConfig(List.of("*"), null, null, null, false, null);

    assertThat(config.allowMethods()).containsExactly("GET", "HEAD", "POST");
    assertThat(config.allowHeaders()).isEmpty();
    assertThat(config.exposeHeaders()).isEmpty();
  }

  @Test
  void normalizesNamesAndDropsDuplicates() {
    CorsConfig config = new CorsConfig(
        List.of("https://App.example.com", "https://app.example.com:443"),
        List.of("put", "PUT", "Delete"),
        List.of("X-Custom", "content-type", "x-custom"),
        List.of("X-Request-Id"),
        true,
        Duration.ofHours(1));

    assertThat(config.allowOrigins()).containsExactly("https://app.example.com");
    assertThat(config.allowMethods()).containsExactly("PUT", "DELETE");
    assertThat(config.allowHeaders()).containsExactly("x-custom", "content-type");
    assertThat(config.exposeHeaders()).containsExactly("x-request-id");
  }

  @Test
  void equalConfigsAreEqualAfterNormalizing() {
    // a reload keeps plugin state when the config is equal, however it was spelled
    assertThat(origins("HTTPS://APP.example.com:443")).isEqualTo(origins("https://app.example.com"));
  }

  @Test
  void requiresOrigins() {
    assertThatThrownBy(() -> origins())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allow_origins: missing (expected: at least one origin, such as [\"https://app.example.com\"],"
            + " or [\"*\"] for any origin)");
  }

  @Test
  void refusesAnyOriginWithCredentials() {
    assertThatThrownBy(() -> new CorsConfig(List.of("*"), List.of(), List.of(), List.of(), true, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allow_origins: '*' cannot be combined with allow_credentials: true"
            + " (expected: the exact origins to allow)");
  }

  @Test
  void refusesAnyOriginNextToOthers() {
    assertThatThrownBy(() -> origins("*", "https://app.example.com"))
        .hasMessageStartingWith("allow_origins: '*' allows every origin, so it must be the only entry");
  }

  @Test
  void refusesOriginsWithAPath() {
    assertThatThrownBy(() -> origins("https://app.example.com/"))
        .hasMessage("allow_origins: 'https://app.example.com/' is not an origin: it ends with '/', and an origin"
            + " has no path (expected: an origin as scheme://host[:port] such as https://app.example.com,"
            + " a pattern such as https://*.example.com, null, or *)");
    assertThatThrownBy(() -> origins("https://app.example.com/login"))
        .hasMessageStartingWith("allow_origins: 'https://app.example.com/login' is not an origin:"
            + " an origin has no path, query or fragment (expected: ");
  }

  @Test
  void refusesMalformedOrigins() {
    assertThatThrownBy(() -> origins("app.example.com"))
        .hasMessageStartingWith("allow_origins: 'app.example.com' is not an origin: it has no scheme (expected: ");
    assertThatThrownBy(() -> origins("1http://app.example.com"))
        .hasMessageStartingWith("allow_origins: '1http://app.example.com' is not an origin: '1http' is not a scheme");
    assertThatThrownBy(() -> origins("https://"))
        .hasMessageStartingWith("allow_origins: 'https://' is not an origin: it has no host");
    assertThatThrownBy(() -> origins("https://app..example.com"))
        .hasMessageStartingWith("allow_origins: 'https://app..example.com' is not an origin: 'app..example.com' has an empty label");
    assertThatThrownBy(() -> origins("https://app example.com"))
        .hasMessageStartingWith("allow_origins: 'https://app example.com' is not an origin: 'app example.com' is not a host name");
    assertThatThrownBy(() -> origins("https://user@app.example.com"))
        .hasMessageStartingWith("allow_origins: 'https://user@app.example.com' is not an origin: an origin has no user name");
    assertThatThrownBy(() -> origins("http://[::1"))
        .hasMessageStartingWith("allow_origins: 'http://[::1' is not an origin: the IPv6 address has no closing ']'");
    assertThatThrownBy(() -> origins(""))
        .hasMessageStartingWith("allow_origins: '' is not an origin: it is empty");
    assertThatThrownBy(() -> origins((String) null)) // '- ~' in YAML
        .hasMessageStartingWith("allow_origins: '' is not an origin: it is empty");
  }

  @Test
  void refusesBadPorts() {
    for (String port : List.of("0", "65536", "80a", "")) {
      assertThatThrownBy(() -> origins("http://localhost:" + port))
          .hasMessageStartingWith("allow_origins: 'http://localhost:" + port + "' is not an origin: '" + port
              + "' is not a port (1 to 65535)");
    }
  }

  @Test
  void allowsTheWildcardOnlyAsTheLeftmostLabels() {
    for (String entry : List.of("https://app.*.example.com", "https://*", "https://*example.com", "https://*.*.example.com")) {
      assertThatThrownBy(() -> origins(entry))
          .as(entry)
          .hasMessageStartingWith("allow_origins: '" + entry + "' is not an origin: '*' may only stand for the"
              + " leftmost labels of the host, as in https://*.example.com");
    }
  }

  @Test
  void refusesNamesThatAreNotTokens() {
    assertThatThrownBy(() -> new CorsConfig(List.of("*"), List.of("GE T"), List.of(), List.of(), false, null))
        .hasMessage("allow_methods: 'GE T' is not a valid name (expected: method names such as GET or PUT, or '*' alone)");
    assertThatThrownBy(() -> new CorsConfig(List.of("*"), List.of(), List.of("x:custom"), List.of(), false, null))
        .hasMessage("allow_headers: 'x:custom' is not a valid name (expected: header names such as content-type, or '*' alone)");
    assertThatThrownBy(() -> new CorsConfig(List.of("*"), List.of(), List.of(), List.of(""), false, null))
        .hasMessage("expose_headers: '' is not a valid name (expected: header names such as x-request-id, or '*' alone)");
  }

  @Test
  void refusesAWildcardNextToNames() {
    assertThatThrownBy(() -> new CorsConfig(List.of("*"), List.of("*", "GET"), List.of(), List.of(), false, null))
        .hasMessage("allow_methods: '*' allows every name, so it must be the only entry"
            + " (expected: either [\"*\"] or a list of method names such as GET or PUT)");
  }

  @Test
  void refusesExposingEveryHeaderWithCredentials() {
    assertThatThrownBy(() -> new CorsConfig(List.of("https://app.example.com"), List.of(), List.of(), List.of("*"), true, null))
        .hasMessage("expose_headers: '*' cannot be combined with allow_credentials: true"
            + " (expected: the names of the response headers to expose)");
  }

  @Test
  void refusesANegativeMaxAge() {
    assertThatThrownBy(() -> new CorsConfig(List.of("*"), List.of(), List.of(), List.of(), false, Duration.ofSeconds(-5)))
        .hasMessage("max_age: -5s is negative (expected: a duration of 0s or more, such as 10m)");
  }
}
