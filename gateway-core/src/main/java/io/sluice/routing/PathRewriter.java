package io.sluice.routing;

import io.sluice.config.PathPattern;
import io.sluice.config.Rewrite;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the normalized request path into the path sent upstream, as a route's {@link Rewrite}
 * says; used through {@link CompiledRoute#upstreamPath}. Built once per route, so templates
 * are split into parts before the first request.
 */
sealed interface PathRewriter {

  /** The upstream path for {@code path}; never empty. */
  String rewrite(String path, PathParams params);

  /**
   * The upstream path keeping matrix parameters: the rewrite is decided on {@code path} (without
   * them), and the segments that go upstream unchanged are taken from {@code matrixPath}, which
   * has the same segments with their parameters.
   */
  String rewrite(String path, String matrixPath, PathParams params);

  /**
   * Compiles a rewrite for a route with the given path pattern.
   *
   * @throws IllegalArgumentException when a template names a parameter the pattern does not capture
   */
  static PathRewriter of(Rewrite rewrite, PathPattern pattern) {
    return switch (rewrite.kind()) {
      case NONE -> Unchanged.INSTANCE;
      case STRIP_PREFIX -> new ReplacePrefix(withoutTrailingSlash(rewrite.from()), "");
      case REPLACE_PREFIX -> new ReplacePrefix(withoutTrailingSlash(rewrite.from()), withoutTrailingSlash(rewrite.to()));
      case TEMPLATE -> Template.parse(rewrite.to(), pattern.paramNames());
    };
  }

  // "/" and "/api/" act as "" and "/api", so that joining never produces "//".
  private static String withoutTrailingSlash(String prefix) {
    return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }

  /** The path goes upstream as it is. */
  enum Unchanged implements PathRewriter {
    INSTANCE;

    @Override
    public String rewrite(String path, PathParams params) {
      return path;
    }

    @Override
    public String rewrite(String path, String matrixPath, PathParams params) {
      return matrixPath;
    }
  }

  /**
   * Replaces {@code from} with {@code to} when the path starts with {@code from} at a segment
   * boundary ({@code /api} strips {@code /api/x} and {@code /api}, never {@code /apix}).
   */
  record ReplacePrefix(String from, String to) implements PathRewriter {
    @Override
    public String rewrite(String path, PathParams params) {
      if (!applies(path)) {
        return path;
      }
      String rewritten = to + path.substring(from.length());
      return rewritten.isEmpty() ? "/" : rewritten;
    }

    @Override
    public String rewrite(String path, String matrixPath, PathParams params) {
      if (!applies(path)) {
        return matrixPath;
      }
      // The prefix's segments are replaced, parameters and all; the rest keeps its parameters.
      int rest = 0;
      for (int slash = from.indexOf('/'); slash >= 0; slash = from.indexOf('/', slash + 1)) {
        int next = matrixPath.indexOf('/', rest + 1);
        rest = next < 0 ? matrixPath.length() : next;
      }
      String rewritten = to + matrixPath.substring(rest);
      return rewritten.isEmpty() ? "/" : rewritten;
    }

    private boolean applies(String path) {
      return path.startsWith(from) && (path.length() == from.length() || path.charAt(from.length()) == '/');
    }
  }

  /** {@code /u/{id}/profile}: literal parts with parameter values between them. */
  final class Template implements PathRewriter {

    private final String[] literals; // literals[i] comes before parameter i; the last one ends the path
    private final int[] params; // indexes into the route's PathParams

    private Template(String[] literals, int[] params) {
      this.literals = literals;
      this.params = params;
    }

    static Template parse(String template, List<String> paramNames) {
      List<String> literals = new ArrayList<>();
      List<Integer> params = new ArrayList<>();
      int from = 0;
      for (int open = template.indexOf('{'); open >= 0; open = template.indexOf('{', from)) {
        int close = template.indexOf('}', open);
        if (close < 0) {
          throw new IllegalArgumentException("rewrite template " + template + ": '{' at " + open + " is never closed");
        }
        String name = template.substring(open + 1, close);
        int index = paramNames.indexOf(name);
        if (index < 0) {
          throw new IllegalArgumentException(
              "rewrite template " + template + ": {" + name + "} is not a parameter of the route's path (expected one of "
                  + paramNames + ")");
        }
        literals.add(template.substring(from, open));
        params.add(index);
        from = close + 1;
      }
      literals.add(template.substring(from));
      return new Template(literals.toArray(String[]::new), params.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String rewrite(String path, PathParams params) {
      StringBuilder out = new StringBuilder(path.length() + 16);
      for (int i = 0; i < this.params.length; i++) {
        out.append(literals[i]).append(params.value(this.params[i]));
      }
      out.append(literals[this.params.length]);
      return out.isEmpty() ? "/" : out.toString();
    }

    /** A template builds a new path, with no place for them: matrix parameters are left out (the config refuses forward with a template). */
    @Override
    public String rewrite(String path, String matrixPath, PathParams params) {
      return rewrite(path, params);
    }
  }
}
