package io.sluice.routing;

/**
 * The outcome of {@link PathNormalizer#normalize}: the path to route on, or why the request
 * must be refused with 400. A path with matrix parameters is {@link Ok}: whether they are
 * accepted depends on the route it matches ({@link RouteMatchResult.MatrixParametersRefused}).
 *
 * {@snippet :
 * switch (PathNormalizer.normalize(rawPath)) {
 *   case NormalizedPath.Ok ok -> route(ok.path());
 *   case NormalizedPath.Rejection rejection -> reply(ErrorCode.BAD_REQUEST, rejection.reason());
 * }
 * }
 */
public sealed interface NormalizedPath {

  /**
   * The normalized path.
   *
   * @param path what routes, plugins and {@code rbac} match on: starts with {@code /}, has no
   *     {@code ;}; for a path with matrix parameters, the path without them ({@code /a;v=1/b} gives
   *     {@code /a/b}), which is the path Tomcat, Jetty and Spring read
   * @param matrixPath the same path with its matrix parameters, as forwarded by a route that
   *     accepts them; the same {@code String} as {@code path} when there are none
   */
  record Ok(String path, String matrixPath) implements NormalizedPath {

    /** A path without matrix parameters. */
    public Ok(String path) {
      this(path, path);
    }

    /** Whether the request path had matrix parameters, which {@link #path} leaves out. */
    public boolean hasMatrixParameters() {
      return matrixPath.length() != path.length(); // each ';' adds at least itself
    }
  }

  /** Why a path was refused. Constants, so a refusal allocates nothing. */
  enum Rejection implements NormalizedPath {
    NOT_ABSOLUTE("The path must start with '/'"),
    MALFORMED_ESCAPE("The path has a '%' that is not followed by two hex digits"),
    ENCODED_SEPARATOR("The path contains an encoded slash or backslash (%2F or %5C)"),
    ENCODED_NUL("The path contains an encoded NUL byte (%00)"),
    ENCODED_SEMICOLON("The path contains an encoded semicolon (%3B), which servers disagree on"
        + " (some read it as the start of matrix parameters, some as data)"),
    MATRIX_PARAMETERS_ON_DOT_SEGMENT("The path has matrix parameters (';') on an empty, '.' or '..' segment"),
    ILLEGAL_CHARACTER(
        "The path contains a character that must be percent-encoded"
            + " (control characters, space, DEL, non-ASCII, and \\ \" # < > ? ` { })");

    private final String reason;

    Rejection(String reason) {
      this.reason = reason;
    }

    /** A sentence safe to show to the client. */
    public String reason() {
      return reason;
    }
  }
}
