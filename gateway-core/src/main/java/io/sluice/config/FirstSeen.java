package io.sluice.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Remembers where each name was first written, to report a repeated one with the line of the original. */
final class FirstSeen {

  private final String what;
  private final Map<String, SourcePosition> seen = new HashMap<>();

  /** @param what the kind of name, e.g. {@code route id} */
  FirstSeen(String what) {
    this.what = what;
  }

  /**
   * Reads the required name under {@code key} (checked to be {@code expected}, e.g. "a route id")
   * and records it.
   */
  Optional<String> requiredName(YamlMap map, String key, String expected) {
    Optional<YamlNode> node = map.required(key);
    Optional<String> name = node.flatMap(n -> n.name(expected));
    if (node.isPresent() && name.isPresent()) {
      add(node.get(), name.get());
    }
    return name;
  }

  /** Records {@code name}; reports it at {@code node} when it was seen before. */
  void add(YamlNode node, String name) {
    SourcePosition first = seen.putIfAbsent(name, node.position());
    if (first != null) {
      node.problem("duplicate " + what + " " + Messages.quote(name) + " (first at line " + first.line() + ")");
    }
  }

  /**
   * The items of a list that must not be empty ({@code oneItem} names one, e.g. "TLS version,
   * such as TLSv1.3"), each read by {@code parser} (see {@link YamlNode#as}); a value written
   * twice is reported at its second place.
   */
  List<String> distinctItems(YamlNode list, String oneItem, String expected, Function<String, String> parser) {
    List<String> out = new ArrayList<>();
    for (YamlNode item : list.nonEmptyList(oneItem)) {
      item.as(expected, parser).ifPresent(value -> {
        add(item, value);
        out.add(value);
      });
    }
    return out;
  }
}
