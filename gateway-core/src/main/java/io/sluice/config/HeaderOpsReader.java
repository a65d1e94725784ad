package io.sluice.config;

import io.sluice.spi.Headers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads header names and header changes ({@code request_headers}, {@code response_headers}, {@code respond.headers}). */
final class HeaderOpsReader {

  static final List<String> KEYS = List.of("remove", "set", "add");

  private HeaderOpsReader() {}

  static HeaderOps read(YamlNode node) {
    YamlMap ops = node.map(KEYS);
    List<String> remove = ops.optional("remove").map(HeaderOpsReader::names).orElse(List.of());
    Map<String, String> set = ops.optional("set").map(n -> values(n, "set")).orElse(Map.of());
    Map<String, String> add = ops.optional("add").map(n -> values(n, "added")).orElse(Map.of());
    return new HeaderOps(remove, set, add);
  }

  /**
   * A mapping of header name to value, names lower-cased. {@code verb} says what the gateway does
   * with them ("set", "added") for the message about headers it manages itself.
   */
  static Map<String, String> values(YamlNode node, String verb) {
    Map<String, String> out = new LinkedHashMap<>();
    FirstSeen seen = new FirstSeen("header");
    for (YamlMap.Entry entry : node.freeMap().entries()) {
      Optional<String> name = headerName(entry.key(), entry.keyNode());
      if (name.isEmpty()) {
        continue;
      }
      seen.add(entry.keyNode(), name.get()); // X-Tag and x-tag are one header
      if (HttpSyntax.MANAGED_HEADERS.contains(name.get())) {
        entry.keyNode().problem("header " + Messages.quote(name.get()) + " cannot be " + verb
            + " (the gateway writes connection and framing headers itself)");
      }
      entry.value().as("a header value", HeaderOpsReader::fieldValue).ifPresent(value -> out.put(name.get(), value));
    }
    return out;
  }

  /** A header name, lower-cased; reports a name that is not an HTTP token at {@code at}. */
  static Optional<String> headerName(String raw, YamlNode at) {
    if (!HttpSyntax.isToken(raw)) {
      at.problem(Messages.invalid(raw, "a header name of " + HttpSyntax.TOKEN_EXPECTED));
      return Optional.empty();
    }
    return Optional.of(raw.toLowerCase(Locale.ROOT));
  }

  /** @throws IllegalArgumentException when the value would break the header line */
  static String fieldValue(String text) {
    if (!Headers.isValidValue(text)) { // the rule plugins' values follow too
      throw new IllegalArgumentException(Messages.quote(text) + " cannot be sent as a header value (expected: one line without control characters,"
          + " characters beyond U+00FF or leading whitespace)");
    }
    return text;
  }

  private static List<String> names(YamlNode node) {
    List<String> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      item.text("a header name").flatMap(raw -> headerName(raw, item)).ifPresent(out::add);
    }
    return out;
  }
}
