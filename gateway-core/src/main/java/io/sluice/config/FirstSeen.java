package io.sluice.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
}
