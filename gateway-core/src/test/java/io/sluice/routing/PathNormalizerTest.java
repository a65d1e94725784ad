package io.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.routing.NormalizedPath.Rejection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/public/../admin      | /admin",
      "/%2e%2e/admin         | /admin",
      "/%2E%2E/admin         | /admin",
      "/.%2e/admin           | /admin",
      "//admin               | /admin",
      "/a//b///c             | /a/b/c",
      "/a/./b                | /a/b",
      "/a/b/.                | /a/b/",
      "/a/b/..               | /a/",
      "/a/b/../              | /a/",
      "/a/..                 | /",
      "/..                   | /",
      "/../../etc/passwd     | /etc/passwd",
      "/.                    | /",
      "//                    | /",
      "/./                   | /",
      "/a/%2e/b              | /a/b",
      "/%61dmin              | /admin",
      "/a%7Eb%2D%5F          | /a~b-_",
      "/caf%c3%a9            | /caf%C3%A9",
      "/a%20b                | /a%20b",
      "/a%3a%7b              | /a%3A%7B",
      "/a%3fb%23c            | /a%3Fb%23c",
      "/users/                | /users/",
      "/a/...b/..c/...       | /a/...b/..c/...",
  })
  void normalizes(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(new NormalizedPath.Ok(expected));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/a%2fb         | ENCODED_SEPARATOR",
      "/a%2Fb         | ENCODED_SEPARATOR",
      "/a%5cb         | ENCODED_SEPARATOR",
      "/a%5Cb         | ENCODED_SEPARATOR",
      "/%00           | ENCODED_NUL",
      "/%zz           | MALFORMED_ESCAPE",
      "/%4            | MALFORMED_ESCAPE",
      "/a%            | MALFORMED_ESCAPE",
      "/%g1/x         | MALFORMED_ESCAPE",
      "admin          | NOT_ABSOLUTE",
      "*              | NOT_ABSOLUTE",
      "''             | NOT_ABSOLUTE",
  })
  void rejects(String raw, Rejection expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a\\b", "/a b", "/a\u0000b", "/a\tb", "/a\u007fb", "/caf\u00e9", "/a\"b", "/a<b>", "/a{b}", "/a`b",
      "/a#b", "/a?b", "/\uFF0E\uFF0E/admin"})
  void rejectsCharactersThatMustBeEncoded(String raw) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(Rejection.ILLEGAL_CHARACTER);
  }

  @Test
  void rejectsFullWidthHexDigitsInEscapes() {
    // Character.digit would read these as 2 and E, turning them into '.'.
    assertThat(PathNormalizer.normalize("/%\uFF12\uFF25%\uFF12\uFF25/admin")).isEqualTo(Rejection.MALFORMED_ESCAPE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/ADMIN", "/api/v1/users/42", "/static/app.min.js", "/a/.well-known/b", "/a/..b/c.",
      "/users/", "/x!$&'()*+,;=:@[]|^-._~"})
  void returnsCleanPathsThemselves(String raw) {
    NormalizedPath normalized = PathNormalizer.normalize(raw);

    assertThat(normalized).isInstanceOf(NormalizedPath.Ok.class);
    assertThat(((NormalizedPath.Ok) normalized).path()).isSameAs(raw);
  }

  @Test
  void keepsTheInputWhenOnlyCanonicalEscapesArePresent() {
    String raw = "/caf%C3%A9";

    assertThat(((NormalizedPath.Ok) PathNormalizer.normalize(raw)).path()).isSameAs(raw);
  }

  @Test
  void neverDecodesTwice() {
    assertThat(PathNormalizer.normalize("/%252e%252e/admin")).isEqualTo(new NormalizedPath.Ok("/%252e%252e/admin"));
  }

  @Test
  void rejectionReasonsAreSentences() {
    for (Rejection rejection : Rejection.values()) {
      assertThat(rejection.reason()).startsWith("The path ");
    }
  }
}
