package io.sluice.plugins.rbac;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A path pattern of the route syntax ({@code /rooms}, {@code /rooms/{id}}, {@code /files/*},
 * {@code /api/**}), compiled once and matched against the normalized request path without
 * allocating. Plugins see only the SPI, so this is a copy of the routes' rules, not their code.
 *
 * <p>The routes' rule for matrix parameters holds here too: a segment is matched by its name
 * without them ({@code /rooms;v=1/7} is {@code /rooms/7}), as Tomcat, Jetty and Spring read it.
 * The gateway already hands plugins the path without them, so this only keeps the copy faithful
 * for any path that still has some.
 */
final class PathMatcher {

  /** The literal segments, {@code null} where any one non-empty segment matches. */
  private final String[] segments;
  private final boolean glob;
  private final String text;

  private PathMatcher(String[] segments, boolean glob, String text) {
    this.segments = segments;
    this.glob = glob;
    this.text = text;
  }

  boolean matches(String path) {
    int at = 0; // the '/' before the next segment
    for (String segment : segments) {
      if (at >= path.length() || path.charAt(at) != '/') {
        return false;
      }
      int start = at + 1;
      int end = path.indexOf('/', start);
      end = end < 0 ? path.length() : end;
      int nameEnd = nameEnd(path, start, end);
      if (nameEnd == start
          || (segment != null && (segment.length() != nameEnd - start || !path.startsWith(segment, start)))) {
        return false;
      }
      at = end;
    }
    if (glob) {
      return true; // what is left is empty or starts with '/': /api/** matches /api, /api/ and /api/x
    }
    return segments.length == 0 ? path.equals("/") : at == path.length();
  }

  /** Where the segment's name ends: at its first ';' (its matrix parameters), or at {@code end}. */
  private static int nameEnd(String path, int start, int end) {
    for (int i = start; i < end; i++) {
      if (path.charAt(i) == ';') {
        return i;
      }
    }
    return end;
  }

  /**
   * @throws IllegalArgumentException naming the pattern and what is wrong with it
   */
  static PathMatcher parse(String text) {
    if (text == null || text.isEmpty() || text.charAt(0) != '/') {
      throw problem(text, "does not start with '/' (expected: a path pattern such as /rooms/{id}/**)");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '%' || c == '\\') {
        throw problem(text, "contains '" + (c <= ' ' || c == 0x7f ? "a space or control character" : c)
            + "' (expected: a plain path, without query, fragment or escapes)");
      }
      if (c == ';') {
        throw problem(text, "contains ';' (expected: a path without matrix parameters; requests are matched with them set aside)");
      }
    }
    if (text.equals("/")) {
      return new PathMatcher(new String[0], false, text);
    }
    String[] parts = text.substring(1).split("/", -1);
    List<String> segments = new ArrayList<>(parts.length);
    Set<String> names = new HashSet<>();
    boolean glob = false;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (part.isEmpty()) {
        throw last ? problem(text, "ends with '/' (expected: " + text + "** for everything below it)")
            : problem(text, "has an empty segment ('//')");
      } else if (part.equals("**")) {
        if (!last) {
          throw problem(text, "has '**' before the end (expected: '**' only as the last segment, as in /rooms/**)");
        }
        glob = true;
      } else if (part.equals("*")) {
        segments.add(null);
      } else if (part.startsWith("{") && part.endsWith("}") && part.length() > 2) {
        String name = part.substring(1, part.length() - 1);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || !names.add(name)) {
          throw problem(text, "has the parameter '" + name + "' (expected: a unique name of letters, digits and '_')");
        }
        segments.add(null);
      } else if (part.indexOf('*') >= 0 || part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
        throw problem(text, "has '" + part + "' (expected: '*' or {name} as a whole segment, '/**' at the end)");
      } else if (part.equals(".") || part.equals("..")) {
        throw problem(text, "has a '" + part + "' segment (expected: a normalized path)");
      } else {
        segments.add(part);
      }
    }
    return new PathMatcher(segments.toArray(String[]::new), glob, text);
  }

  private static IllegalArgumentException problem(String text, String what) {
    return new IllegalArgumentException("'" + text + "' " + what);
  }

  @Override
  public String toString() {
    return text;
  }
}
