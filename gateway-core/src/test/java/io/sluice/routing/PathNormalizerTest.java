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
      "/users/", "/x!$&'()*+,=:@[]|^-._~"})
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

  @ParameterizedTest(name = "{0} -> {1}, forwarded as {2}")
  @CsvSource(delimiter = '|', value = {
      "/admin;x/secret             | /admin/secret | /admin;x/secret",
      "/admin;jsessionid=1/secret  | /admin/secret | /admin;jsessionid=1/secret",
      "/a;/b                       | /a/b          | /a;/b",
      "/a/b;x                      | /a/b          | /a/b;x",
      "/a/b;                       | /a/b          | /a/b;",
      "/a;x;y=1,2/b                | /a/b          | /a;x;y=1,2/b",
      "/a;x//b/./c;%41=%7e         | /a/b/c        | /a;x/b/c;A=~",
      "/a;x/b/                     | /a/b/         | /a;x/b/",
      "/%61;x/b                    | /a/b          | /a;x/b",
      "/p/a;x/../b;y               | /p/b          | /p/b;y",
      "/a;x=%C3%A9/b               | /a/b          | /a;x=%C3%A9/b",
      "/...;x/..b;y                | /.../..b      | /...;x/..b;y",
  })
  void setsMatrixParametersAsideForMatching(String raw, String path, String matrixPath) {
    NormalizedPath.Ok normalized = (NormalizedPath.Ok) PathNormalizer.normalize(raw);

    assertThat(normalized).isEqualTo(new NormalizedPath.Ok(path, matrixPath));
    assertThat(normalized.hasMatrixParameters()).isTrue();
  }

  @Test
  void parametersOnASegmentThatIsPoppedLeaveNoneBehind() {
    NormalizedPath.Ok normalized = (NormalizedPath.Ok) PathNormalizer.normalize("/a;x/../b");

    assertThat(normalized).isEqualTo(new NormalizedPath.Ok("/b"));
    assertThat(normalized.hasMatrixParameters()).isFalse();
  }

  @Test
  void keepsTheInputAsTheForwardedPathWhenOnlyParametersAreSetAside() {
    String raw = "/a;x/b";

    assertThat(((NormalizedPath.Ok) PathNormalizer.normalize(raw)).matrixPath()).isSameAs(raw);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/admin%3bx/secret           | ENCODED_SEMICOLON",
      "/admin%3Bx/secret           | ENCODED_SEMICOLON",
      "/a;x%3By/b                  | ENCODED_SEMICOLON",
      "/public/%2e%2e%3b/admin     | ENCODED_SEMICOLON",
      "/public/..%3B/admin         | ENCODED_SEMICOLON",
      "/a/b%3b                     | ENCODED_SEMICOLON",
      "/public/..;/admin           | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/public/..;x=1/admin        | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/public/%2e%2e;/admin       | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/public/%2E%2E;/admin       | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/public/.%2e;/admin         | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/a/.;x/b                    | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/a/..;                      | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/;x/admin                   | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/a//;x/b                    | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
      "/;                          | MATRIX_PARAMETERS_ON_DOT_SEGMENT",
  })
  void refusesSpellingsOfMatrixParametersThatServersReadDifferently(String raw, Rejection expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%253B", "/admin%253bx/secret", "/public/%252e%252e%253b/admin", "/%2e%2e%253b/admin"})
  void decodesOnceSoDoubleEncodedSemicolonsStayData(String raw) {
    NormalizedPath.Ok normalized = (NormalizedPath.Ok) PathNormalizer.normalize(raw);

    assertThat(normalized.path()).doesNotContain(";").contains("%253");
    assertThat(normalized.hasMatrixParameters()).isFalse();
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
