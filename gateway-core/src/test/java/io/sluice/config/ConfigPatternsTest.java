package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.PathPattern.Literal;
import io.sluice.config.PathPattern.Param;
import io.sluice.config.PathPattern.Wildcard;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Path and host patterns: the forms the routing code gets, and the messages for the rest. */
class ConfigPatternsTest {

  @Test
  void pathPatterns() {
    assertThat(PathPatterns.parse("/")).isEqualTo(new PathPattern("/", List.of(), false));
    assertThat(PathPatterns.parse("/**")).isEqualTo(new PathPattern("/**", List.of(), true));
    assertThat(PathPatterns.parse("/users")).isEqualTo(new PathPattern("/users", List.of(new Literal("users")), false));
    assertThat(PathPatterns.parse("/api/v1/users/{id}/files/*/**")).isEqualTo(new PathPattern("/api/v1/users/{id}/files/*/**",
        List.of(new Literal("api"), new Literal("v1"), new Literal("users"), new Param("id"), new Literal("files"), new Wildcard()),
        true));
    assertThat(PathPatterns.parse("/orders.v1.OrderService/**").literalPrefix()).isEqualTo("/orders.v1.OrderService");
    assertThat(PathPatterns.parse("/a/{_x1}/{Y}").paramNames()).containsExactly("_x1", "Y");
    assertThat(PathPatterns.parse("/caf\u00e9/:id@v2").segments()).containsExactly(new Literal("caf\u00e9"), new Literal(":id@v2"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "users         | 'users' (expected: a path pattern starting with '/', such as /api/users/**)",
      "''            | '' (expected: a path pattern starting with '/', such as /api/users/**)",
      "/a//b         | '/a//b' has an empty segment ('//')",
      "/a/           | '/a/' ends with '/' (expected: /a, or /a/** for everything below it)",
      "/a/**/b       | '/a/**/b' has '**' before the end (expected: '**' only as the last segment, as in /api/**)",
      "/a/b**        | '/a/b**' has '*' inside a segment (expected: '*' alone as a whole segment, or '/**' at the end)",
      "/a/*.json     | '/a/*.json' has '*' inside a segment (expected: '*' alone as a whole segment, or '/**' at the end)",
      "/a/{1x}       | '/a/{1x}' has an invalid parameter name '1x' (expected: a letter or '_' followed by letters, digits or '_')",
      "/a/{}         | '/a/{}' has an invalid parameter name '' (expected: a letter or '_' followed by letters, digits or '_')",
      "/a/{id}/{id}  | '/a/{id}/{id}' uses the parameter 'id' twice (expected: unique parameter names)",
      "/a/v{id}      | '/a/v{id}' has '{' or '}' outside a parameter (expected: a parameter as a whole segment, such as /users/{id})",
      "/a/{id        | '/a/{id' has '{' or '}' outside a parameter (expected: a parameter as a whole segment, such as /users/{id})",
      "/a/./b        | '/a/./b' has a '.' segment (expected: a normalized path; requests are matched after removing dot segments)",
      "/a/..         | '/a/..' has a '..' segment (expected: a normalized path; requests are matched after removing dot segments)",
      "/a?b=1        | '/a?b=1' contains '?' (expected: a path without a query string)",
      "/a#top        | '/a#top' contains '#' (expected: a path without a fragment)",
      "/a%2Fb        | '/a%2Fb' contains '%' (expected: characters as they are; patterns match the decoded path)",
      "/a\\b         | '/a\\b' contains '\\' (expected: '/' as the only separator)",
      "'/a b'        | '/a b' contains a space or control character",
      "/a;x/b        | '/a;x/b' contains ';' (expected: a path without matrix parameters; requests are matched with them set aside)",
      "/a/b;         | '/a/b;' contains ';' (expected: a path without matrix parameters; requests are matched with them set aside)",
  })
  void badPathPatterns(String text, String message) {
    assertThatThrownBy(() -> PathPatterns.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void hostPatterns() {
    assertThat(HostPatterns.parse("API.Example.com")).isEqualTo(HostPattern.exact("api.example.com"));
    assertThat(HostPatterns.parse("*.example.com")).isEqualTo(HostPattern.wildcard(".example.com"));
    assertThat(HostPatterns.parse("localhost")).isEqualTo(HostPattern.exact("localhost"));
    assertThat(HostPatterns.parse("10.1.2.3")).isEqualTo(HostPattern.exact("10.1.2.3"));
    assertThat(HostPatterns.parse("[::1]")).isEqualTo(HostPattern.exact("::1"));
    assertThat(HostPatterns.parse("::1")).isEqualTo(HostPattern.exact("::1"));
  }

  @Test
  void hostPatternsAreWrittenAsRequestHostsAreNormalized() {
    assertThat(HostPatterns.parse("Admin.Example.com.")).isEqualTo(HostPattern.exact("admin.example.com"));
    assertThat(HostPatterns.parse("*.example.com.")).isEqualTo(HostPattern.wildcard(".example.com"));
    assertThat(HostPatterns.parse("10.1.2.3.")).isEqualTo(HostPattern.exact("10.1.2.3"));
    assertThat(HostPatterns.parse("[0:0:0:0:0:0:0:1]")).isEqualTo(HostPattern.exact("::1"));
    assertThat(HostPatterns.parse("2001:DB8:0::1")).isEqualTo(HostPattern.exact("2001:db8::1"));
    assertThat(HostPatterns.parse("XN--BCHER-KVA.example")).isEqualTo(HostPattern.exact("xn--bcher-kva.example"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "api.example.com:8443 | 'api.example.com:8443' has a port (expected: a host without a port; routes match any port)",
      "[::1]:8443           | '[::1]:8443' has a port (expected: a host without a port; routes match any port)",
      "*                    | '*' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "*example.com         | '*example.com' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "api.*.com            | 'api.*.com' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "-api.example.com     | '-api.example.com' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "api..example.com     | 'api..example.com' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "10.0.0.256           | '10.0.0.256' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "https://example.com  | 'https://example.com' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "api.example.com..    | 'api.example.com..' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      ".                    | '.' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
      "010.0.0.1            | '010.0.0.1' (expected: an IPv4 address without leading zeros)",
      "bücher.example       | 'bücher.example' is not ASCII (expected: the name in the IDNA form clients send, xn--bcher-kva.example)",
      "*.bücher.example     | '*.bücher.example' is not ASCII (expected: the name in the IDNA form clients send, *.xn--bcher-kva.example)",
      "faß.de               | 'faß.de' is not ASCII (expected: the name in the IDNA form clients send, starting labels with xn--)",
  })
  void badHostPatterns(String text, String message) {
    assertThatThrownBy(() -> HostPatterns.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
