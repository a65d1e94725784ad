package io.sluice.config;

import java.util.List;

/**
 * A parsed path pattern. Forms:
 * <ul>
 *   <li>{@code /users} - exactly this path;
 *   <li>{@code /users/{id}} - a named parameter matching one non-empty segment;
 *   <li>{@code /files/*} - one non-empty segment, unnamed;
 *   <li>{@code /api/**} - the prefix {@code /api} followed by zero or more segments
 *       (matches {@code /api}, {@code /api/} and {@code /api/x/y}, never {@code /apix}).
 * </ul>
 * {@code /**} may appear only at the end; {@code /**} alone matches every path.
 *
 * @param text the pattern as written
 * @param segments the segments before any trailing {@code /**}
 * @param glob whether the pattern ends with {@code /**}
 */
public record PathPattern(String text, List<Segment> segments, boolean glob) {

  public PathPattern {
    segments = List.copyOf(segments);
  }

  /** One segment of a pattern. */
  public sealed interface Segment {}

  /** A segment that must equal {@code value} exactly (case-sensitive). */
  public record Literal(String value) implements Segment {}

  /** A segment captured under {@code name}. */
  public record Param(String name) implements Segment {}

  /** Any one non-empty segment, not captured. */
  public record Wildcard() implements Segment {}

  /** The names of the parameters, in order. */
  public List<String> paramNames() {
    return segments.stream().filter(Param.class::isInstance).map(s -> ((Param) s).name()).toList();
  }

  /** The leading literal segments joined with {@code /} ({@code /api/v1} for {@code /api/v1/{x}/**}). */
  public String literalPrefix() {
    StringBuilder out = new StringBuilder();
    for (Segment segment : segments) {
      if (!(segment instanceof Literal literal)) {
        break;
      }
      out.append('/').append(literal.value());
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
