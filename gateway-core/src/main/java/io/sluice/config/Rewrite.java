package io.sluice.config;

/**
 * How the path is rewritten before it goes upstream. The query string is always kept.
 *
 * @param kind which rewrite
 * @param from the prefix to strip or replace ({@code STRIP_PREFIX}, {@code REPLACE_PREFIX}), otherwise empty
 * @param to the replacement prefix ({@code REPLACE_PREFIX}) or the template ({@code TEMPLATE}), otherwise empty
 */
public record Rewrite(Kind kind, String from, String to) {

  public static final Rewrite NONE = new Rewrite(Kind.NONE, "", "");

  /** Kinds of rewrite. */
  public enum Kind {
    /** The path goes upstream unchanged. */
    NONE,
    /** {@code strip_prefix: /api/v1}: {@code /api/v1/users} goes upstream as {@code /users}. */
    STRIP_PREFIX,
    /** {@code replace_prefix: {from: /v1, to: /v2}}: {@code /v1/users} goes upstream as {@code /v2/users}. */
    REPLACE_PREFIX,
    /** {@code path: /u/{id}/profile}: the path is built from the template and the route's path parameters. */
    TEMPLATE
  }
}
