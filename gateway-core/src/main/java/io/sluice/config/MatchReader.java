package io.sluice.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads a route's {@code match:} section. */
final class MatchReader {

  static final List<String> KEYS = List.of("host", "path", "methods", "headers", "query");
  static final List<String> CONDITION_KEYS = List.of("present", "absent", "regex");

  private MatchReader() {}

  /** The match; its {@code path} is {@code null} when the path pattern had a mistake (already reported). */
  static RouteMatch read(YamlNode node) {
    YamlMap match = node.map(KEYS);
    List<HostPattern> hosts = match.optional("host").map(MatchReader::hosts).orElse(List.of());
    PathPattern path = match.required("path").flatMap(n -> n.as("a path pattern", PathPatterns::parse)).orElse(null);
    Set<String> methods = match.optional("methods").map(MatchReader::methods).orElse(Set.of());
    List<ValueMatch> headers = match.optional("headers").map(n -> conditions(n, true)).orElse(List.of());
    List<ValueMatch> query = match.optional("query").map(n -> conditions(n, false)).orElse(List.of());
    return new RouteMatch(hosts, path, methods, headers, query);
  }

  /** {@code host:} takes one host or a list, since most routes name a single host. */
  private static List<HostPattern> hosts(YamlNode node) {
    List<YamlNode> items = node.isList() ? node.list() : List.of(node);
    List<HostPattern> out = new ArrayList<>();
    for (YamlNode item : items) {
      item.as(HostPatterns.EXPECTED, HostPatterns::parse).ifPresent(out::add);
    }
    return out;
  }

  private static Set<String> methods(YamlNode node) {
    Set<String> out = new LinkedHashSet<>();
    for (YamlNode item : node.list()) {
      item.as("an HTTP method such as GET", text -> {
        if (!HttpSyntax.isToken(text)) {
          throw new IllegalArgumentException(Messages.invalid(text, "an HTTP method such as GET"));
        }
        return text.toUpperCase(Locale.ROOT);
      }).ifPresent(out::add);
    }
    return out;
  }

  /** Header conditions (names lower-cased, values single-line) or query conditions (names as written). */
  static List<ValueMatch> conditions(YamlNode node, boolean header) {
    List<ValueMatch> out = new ArrayList<>();
    FirstSeen seen = new FirstSeen("header");
    for (YamlMap.Entry entry : node.freeMap().entries()) {
      String name = entry.key();
      if (header) {
        name = HeaderOpsReader.headerName(name, entry.keyNode()).orElse(null);
        if (name == null) {
          continue;
        }
        seen.add(entry.keyNode(), name);
      }
      ValueMatch condition = condition(name, entry.value(), header);
      if (condition != null) {
        out.add(condition);
      }
    }
    return out;
  }

  /** A plain value means "equals"; a one-key mapping names another kind of condition. */
  private static ValueMatch condition(String name, YamlNode node, boolean header) {
    if (!node.isMap()) {
      Function<String, String> check = header ? HeaderOpsReader::fieldValue : Function.identity();
      return node.as("a value, or one of {present: true}, {absent: true}, {regex: ...}", check)
          .map(value -> ValueMatch.exact(name, value))
          .orElse(null);
    }
    YamlMap condition = node.map(CONDITION_KEYS);
    if (condition.entries().size() > 1 || condition.written() == 0) {
      node.problem("expected exactly one of: " + String.join(", ", CONDITION_KEYS));
      return null;
    }
    YamlMap.Entry entry = condition.entries().stream().findFirst().orElse(null);
    if (entry == null) {
      return null; // only unknown keys, already reported
    }
    return switch (entry.key()) {
      case "present" -> entry.value().as("true", MatchReader::onlyTrue).map(t -> ValueMatch.present(name)).orElse(null);
      case "absent" -> entry.value().as("true", MatchReader::onlyTrue).map(t -> ValueMatch.absent(name)).orElse(null);
      default -> entry.value().as("a regular expression", MatchReader::regex).map(p -> ValueMatch.regex(name, p)).orElse(null);
    };
  }

  /** {@code present: false} is not written; the condition is left out instead. */
  static boolean onlyTrue(String text) {
    if (!text.equals("true")) {
      throw new IllegalArgumentException(Messages.invalid(text, "true"));
    }
    return true;
  }

  /** Compiled once here, so that a bad expression is a config mistake and matching never compiles. */
  private static Pattern regex(String text) {
    try {
      return Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          Messages.quote(text) + " is not a valid regular expression (" + e.getDescription() + " near index " + e.getIndex() + ")");
    }
  }
}
