package io.sluice.routing;

/**
 * The outcome of {@link PathNormalizer#normalize}: the path to route on, or why the request
 * must be refused with 400.
 *
 * {@snippet :
 * switch (PathNormalizer.normalize(rawPath)) {
 *   case NormalizedPath.Ok ok -> route(ok.path());
 *   case NormalizedPath.Rejection rejection -> reply(ErrorCode.BAD_REQUEST, rejection.reason());
 * }
 * }
 */
public sealed interface NormalizedPath {

  /** The normalized path; starts with {@code /}. */
  record Ok(String path) implements NormalizedPath {}

  /** Why a path was refused. Constants, so a refusal allocates nothing. */
  enum Rejection implements NormalizedPath {
    NOT_ABSOLUTE("The path must start with '/'"),
    MALFORMED_ESCAPE("The path has a '%' that is not followed by two hex digits"),
    ENCODED_SEPARATOR("The path contains an encoded slash or backslash (%2F or %5C)"),
    ENCODED_NUL("The path contains an encoded NUL byte (%00)"),
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
