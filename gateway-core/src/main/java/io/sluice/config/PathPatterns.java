package io.sluice.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses path patterns (see {@link PathPattern} for the forms). Patterns are matched against the
 * decoded, normalized request path, so they are written with plain characters: no
 * percent-encoding, no query or fragment, no {@code .} or {@code ..} segments, no matrix
 * parameters ({@code ;}).
 *
 * {@snippet :
 * PathPattern users = PathPatterns.parse("/api/v1/users/{id}/**");
 * users.paramNames();    // [id]
 * users.literalPrefix(); // /api/v1/users
 * }
 */
public final class PathPatterns {

  static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final String PARAM_NAME_EXPECTED = "a letter or '_' followed by letters, digits or '_'";

  private PathPatterns() {}

  /**
   * @throws IllegalArgumentException with a sentence naming the pattern and what is wrong with it
   */
  public static PathPattern parse(String text) {
    if (text.isEmpty() || text.charAt(0) != '/') {
      throw new IllegalArgumentException(Messages.invalid(text, "a path pattern starting with '/', such as /api/users/**"));
    }
    rejectCharacters(text);
    if (text.equals("/")) {
      return new PathPattern(text, List.of(), false);
    }
    String[] parts = text.substring(1).split("/", -1);
    List<PathPattern.Segment> segments = new ArrayList<>(parts.length);
    Set<String> names = new HashSet<>();
    boolean glob = false;
    for (int i = 0; i < parts.length; i++) {
      boolean last = i == parts.length - 1;
      String part = parts[i];
      if (part.isEmpty()) {
        throw last
            ? problem(text, "ends with '/' (expected: " + text.substring(0, text.length() - 1) + ", or " + text + "** for everything below it)")
            : problem(text, "has an empty segment ('//')");
      }
      if (part.equals("**")) {
        if (!last) {
          throw problem(text, "has '**' before the end (expected: '**' only as the last segment, as in /api/**)");
        }
        glob = true;
      } else {
        segments.add(segment(text, part, names));
      }
    }
    return new PathPattern(text, segments, glob);
  }

  private static PathPattern.Segment segment(String text, String part, Set<String> names) {
    if (part.equals("*")) {
      return new PathPattern.Wildcard();
    }
    if (part.indexOf('*') >= 0) {
      throw problem(text, "has '*' inside a segment (expected: '*' alone as a whole segment, or '/**' at the end)");
    }
    if (part.length() >= 2 && part.startsWith("{") && part.endsWith("}")) {
      String name = part.substring(1, part.length() - 1);
      if (!PARAM_NAME.matcher(name).matches()) {
        throw problem(text, "has an invalid parameter name " + Messages.quote(name) + " (expected: " + PARAM_NAME_EXPECTED + ")");
      }
      if (!names.add(name)) {
        throw problem(text, "uses the parameter '" + name + "' twice (expected: unique parameter names)");
      }
      return new PathPattern.Param(name);
    }
    if (part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
      throw problem(text, "has '{' or '}' outside a parameter (expected: a parameter as a whole segment, such as /users/{id})");
    }
    if (part.equals(".") || part.equals("..")) {
      throw problem(text, "has a '" + part + "' segment (expected: a normalized path; requests are matched after removing dot segments)");
    }
    return new PathPattern.Literal(part);
  }

  private static void rejectCharacters(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String why = switch (c) {
        case '?' -> "contains '?' (expected: a path without a query string)";
        case '#' -> "contains '#' (expected: a path without a fragment)";
        case '%' -> "contains '%' (expected: characters as they are; patterns match the decoded path)";
        case '\\' -> "contains '\\' (expected: '/' as the only separator)";
        case ';' -> "contains ';' (expected: a path without matrix parameters; requests are matched with them set aside)";
        default -> c <= ' ' || c == 0x7f ? "contains a space or control character" : null;
      };
      if (why != null) {
        throw problem(text, why);
      }
    }
  }

  private static IllegalArgumentException problem(String text, String what) {
    return new IllegalArgumentException(Messages.quote(text) + " " + what);
  }
}
