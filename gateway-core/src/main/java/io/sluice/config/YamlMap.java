package io.sluice.config;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The entries of one YAML mapping, checked once when read: keys are scalars, appear once and,
 * where the keys are fixed, are known (with a "did you mean" for typos).
 */
final class YamlMap {

  /** One entry; {@code keyNode} is where the key was written, reported under the mapping's path. */
  record Entry(String key, YamlNode keyNode, YamlNode value) {}

  private final YamlNode owner;
  private final boolean valid;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final int written;

  YamlMap(YamlNode owner, List<NodeTuple> tuples, Collection<String> knownKeys) {
    this.owner = owner;
    this.valid = true;
    this.written = tuples.size();
    for (NodeTuple tuple : tuples) {
      YamlNode keyNode = owner.withNode(tuple.getKeyNode());
      if (!(tuple.getKeyNode() instanceof ScalarNode scalar) || keyNode.isNull()) {
        keyNode.wrongType("a key name");
        continue;
      }
      String key = scalar.getValue();
      Entry first = entries.get(key);
      if (first != null) {
        keyNode.problem("duplicate key " + Messages.quote(key) + " (first at line " + first.keyNode().position().line() + ")");
      } else if (knownKeys != null && !knownKeys.contains(key)) {
        keyNode.problem("unknown key " + Messages.quote(key) + " (" + DidYouMean.hint(key, knownKeys) + ")");
      } else {
        entries.put(key, new Entry(key, keyNode, owner.child(key, tuple.getValueNode())));
      }
    }
  }

  private YamlMap(YamlNode owner) {
    this.owner = owner;
    this.valid = false;
    this.written = 0;
  }

  /** A stand-in for a node that was not a mapping (already reported): it has no entries and misses nothing. */
  static YamlMap broken(YamlNode owner) {
    return new YamlMap(owner);
  }

  /** Whether this stands in for a node that was not a mapping; its absent keys are not worth reporting. */
  boolean isBroken() {
    return !valid;
  }

  /** How many entries were written, including unknown and duplicate ones. */
  int written() {
    return written;
  }

  boolean has(String key) {
    return entries.containsKey(key);
  }

  Optional<YamlNode> optional(String key) {
    Entry entry = entries.get(key);
    return entry == null ? Optional.empty() : Optional.of(entry.value());
  }

  /** The value under {@code key}; reports {@code missing required key} at the mapping when absent. */
  Optional<YamlNode> required(String key) {
    Entry entry = entries.get(key);
    if (entry == null && valid) {
      owner.problem("missing required key " + Messages.quote(key));
    }
    return entry == null ? Optional.empty() : Optional.of(entry.value());
  }

  /** The key node of {@code key}, to report a problem about the key itself (e.g. a key that does not fit here). */
  Optional<YamlNode> keyNode(String key) {
    Entry entry = entries.get(key);
    return entry == null ? Optional.empty() : Optional.of(entry.keyNode());
  }

  /** A timeout under {@code key}: a duration greater than zero, or {@code fallback} when the key is absent. */
  Duration timeout(String key, Duration fallback) {
    return optional(key).flatMap(n -> n.duration(false)).orElse(fallback);
  }

  Collection<Entry> entries() {
    return entries.values();
  }
}
