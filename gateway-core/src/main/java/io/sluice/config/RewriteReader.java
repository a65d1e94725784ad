package io.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a route's {@code rewrite:} and checks it against the route's path pattern, so that a
 * rewrite that cannot apply to every matched path is caught here rather than per request.
 */
final class RewriteReader {

  static final List<String> KEYS = List.of("strip_prefix", "replace_prefix", "path");
  static final List<String> REPLACE_KEYS = List.of("from", "to");

  private RewriteReader() {}

  /** @param pattern the route's path pattern, {@code null} when it had a mistake (then only the form is checked) */
  static Rewrite read(YamlNode node, PathPattern pattern) {
    YamlMap rewrite = node.map(KEYS);
    if (rewrite.entries().size() > 1 || rewrite.written() == 0 && !rewrite.isBroken()) {
      node.problem("expected exactly one of: " + String.join(", ", KEYS));
      return Rewrite.NONE;
    }
    Optional<YamlNode> strip = rewrite.optional("strip_prefix");
    if (strip.isPresent()) {
      return strip.get().as("a path prefix", text -> prefix(text, pattern))
          .map(from -> new Rewrite(Rewrite.Kind.STRIP_PREFIX, from, ""))
          .orElse(Rewrite.NONE);
    }
    Optional<YamlNode> replace = rewrite.optional("replace_prefix");
    if (replace.isPresent()) {
      YamlMap fromTo = replace.get().map(REPLACE_KEYS);
      Optional<String> from = fromTo.required("from").flatMap(n -> n.as("a path prefix", text -> prefix(text, pattern)));
      Optional<String> to = fromTo.required("to").flatMap(n -> n.as("a path prefix", RewriteReader::replacement));
      return from.isPresent() && to.isPresent() ? new Rewrite(Rewrite.Kind.REPLACE_PREFIX, from.get(), to.get()) : Rewrite.NONE;
    }
    return rewrite.optional("path")
        .flatMap(n -> n.as("a path template", text -> template(text, pattern)))
        .map(template -> new Rewrite(Rewrite.Kind.TEMPLATE, "", template))
        .orElse(Rewrite.NONE);
  }

  /**
   * A prefix every matched path starts with: the pattern's literal prefix or a part of it that
   * ends on a segment boundary ({@code /api} of {@code /api/v1/**}, never {@code /ap}).
   */
  static String prefix(String prefix, PathPattern pattern) {
    if (!prefix.startsWith("/")) {
      throw new IllegalArgumentException(Messages.invalid(prefix, "a path prefix starting with '/'"));
    }
    if (pattern == null) {
      return prefix;
    }
    String literal = pattern.literalPrefix();
    if (literal.equals(prefix) || literal.startsWith(prefix + "/")) {
      return prefix;
    }
    String notAPrefix = Messages.quote(prefix) + " is not a prefix of every path matched by " + Messages.quote(pattern.text());
    if (literal.isEmpty()) {
      throw new IllegalArgumentException(notAPrefix + " (the pattern starts with a parameter or wildcard, so nothing can be stripped)");
    }
    throw new IllegalArgumentException(notAPrefix + " (expected: " + choices(literal) + ")");
  }

  /** {@code /api, /api/v1 or /api/v1/users} for {@code /api/v1/users}. */
  private static String choices(String literal) {
    List<String> out = new ArrayList<>();
    for (int slash = literal.indexOf('/', 1); slash > 0; slash = literal.indexOf('/', slash + 1)) {
      out.add(literal.substring(0, slash));
    }
    out.add(literal);
    if (out.size() == 1) {
      return out.get(0);
    }
    return String.join(", ", out.subList(0, out.size() - 1)) + " or " + out.get(out.size() - 1);
  }

  private static String replacement(String to) {
    if (!to.startsWith("/") || to.indexOf('?') >= 0 || to.indexOf('#') >= 0) {
      throw new IllegalArgumentException(Messages.invalid(to, "a path prefix starting with '/', without '?' or '#'"));
    }
    return to;
  }

  /** Every {@code {name}} must be a parameter the pattern captures, or there is nothing to put there. */
  static String template(String template, PathPattern pattern) {
    if (!template.startsWith("/") || template.indexOf('?') >= 0 || template.indexOf('#') >= 0) {
      throw new IllegalArgumentException(Messages.invalid(template, "a path starting with '/', such as /users/{id}, without '?' or '#'"));
    }
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      int close = template.indexOf('}', i);
      if (open < 0 && close < 0) {
        break;
      }
      if (open >= 0 && (close < 0 || template.indexOf('{', open + 1) >= 0 && template.indexOf('{', open + 1) < close)) {
        throw new IllegalArgumentException(Messages.quote(template) + " has a '{' without '}' (expected: parameters such as {id})");
      }
      if (open < 0 || close < open) {
        throw new IllegalArgumentException(Messages.quote(template) + " has a '}' without '{' (expected: parameters such as {id})");
      }
      param(template, template.substring(open + 1, close), pattern);
      i = close + 1;
    }
    return template;
  }

  private static void param(String template, String name, PathPattern pattern) {
    if (!PathPatterns.PARAM_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(Messages.quote(template) + " has an invalid parameter name " + Messages.quote(name)
          + " (expected: " + PathPatterns.PARAM_NAME_EXPECTED + ")");
    }
    if (pattern == null || pattern.paramNames().contains(name)) {
      return;
    }
    List<String> known = pattern.paramNames();
    throw new IllegalArgumentException("unknown parameter " + Messages.quote(name) + " in " + Messages.quote(template) + " ("
        + (known.isEmpty()
            ? "the path pattern " + Messages.quote(pattern.text()) + " has no parameters"
            : "the path pattern " + Messages.quote(pattern.text()) + " has: " + String.join(", ", known))
        + ")");
  }
}
