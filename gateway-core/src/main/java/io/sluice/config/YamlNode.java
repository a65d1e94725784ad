package io.sluice.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A node of the composed YAML tree together with its path into the document. Every read checks
 * the node's shape and reports a problem at the node's own line and column when it is wrong;
 * a read that fails returns an empty {@link Optional} and the caller carries on.
 *
 * <p>Scalars are read as text (after {@code ${ENV}} substitution) and parsed here, so that
 * {@code port: 8080} and {@code port: "${PORT:-8080}"} are the same thing.
 */
final class YamlNode {

  private final Node node;
  private final String path;
  private final Problems problems;
  private final Function<String, String> env;

  private YamlNode(Node node, String path, Problems problems, Function<String, String> env) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    this.env = env;
  }

  static YamlNode root(Node node, Problems problems, Function<String, String> env) {
    return new YamlNode(node, "", problems, env);
  }

  /** The path into the document, e.g. {@code routes[2].match.path}; empty for the root. */
  String path() {
    return path;
  }

  SourcePosition position() {
    return problems.position(node.getStartMark());
  }

  void problem(String message) {
    problems.add(position(), path, message);
  }

  /** {@code key:} with no value, {@code ~} or {@code null}. */
  boolean isNull() {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  /** Whether this is the scalar {@code text}, as written (before {@code ${ENV}} substitution). */
  boolean isScalar(String text) {
    return node instanceof ScalarNode scalar && !isNull() && scalar.getValue().equals(text);
  }

  boolean isMap() {
    return node instanceof MappingNode;
  }

  boolean isList() {
    return node instanceof SequenceNode;
  }

  YamlNode child(String key, Node child) {
    return new YamlNode(child, path.isEmpty() ? key : path + "." + key, problems, env);
  }

  /** Another node reported under this node's path: a key is reported under its mapping. */
  YamlNode withNode(Node other) {
    return new YamlNode(other, path, problems, env);
  }

  /**
   * This node as a mapping whose keys must be among {@code knownKeys}. Unknown and duplicate keys
   * are reported; {@code null} stands for an empty mapping.
   */
  YamlMap map(Collection<String> knownKeys) {
    return readMap(knownKeys);
  }

  /** This node as a mapping with keys of the operator's choosing (names of upstreams, headers). */
  YamlMap freeMap() {
    return readMap(null);
  }

  private YamlMap readMap(Collection<String> knownKeys) {
    if (node instanceof MappingNode mapping) {
      return new YamlMap(this, mapping.getValue(), knownKeys);
    }
    if (isNull()) {
      return new YamlMap(this, List.of(), knownKeys);
    }
    wrongType("a mapping");
    return YamlMap.broken(this);
  }

  /** This node as a list; {@code null} stands for an empty list. */
  List<YamlNode> list() {
    if (node instanceof SequenceNode sequence) {
      List<YamlNode> out = new ArrayList<>(sequence.getValue().size());
      for (Node item : sequence.getValue()) {
        out.add(new YamlNode(item, path + "[" + out.size() + "]", problems, env));
      }
      return out;
    }
    if (!isNull()) {
      wrongType("a list");
    }
    return List.of();
  }

  /** This node as a list that must have items; {@code what} names one, e.g. "listener". */
  List<YamlNode> nonEmptyList(String what) {
    List<YamlNode> items = list();
    if (items.isEmpty() && (isList() || isNull())) {
      problem("expected at least one " + what);
    }
    return items;
  }

  /** The scalar's text after {@code ${ENV}} substitution. */
  Optional<String> text(String expected) {
    if (!(node instanceof ScalarNode scalar) || isNull()) {
      wrongType(expected);
      return Optional.empty();
    }
    try {
      return Optional.of(EnvSubstitution.apply(scalar.getValue(), env));
    } catch (IllegalArgumentException e) {
      problem(e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The scalar's text turned into a value by {@code parser}, which says what is wrong by throwing
   * {@link IllegalArgumentException} with a whole sentence.
   */
  <T> Optional<T> as(String expected, Function<String, T> parser) {
    return text(expected).flatMap(text -> {
      try {
        return Optional.of(parser.apply(text));
      } catch (IllegalArgumentException e) {
        problem(e.getMessage());
        return Optional.empty();
      }
    });
  }

  Optional<Integer> integer(int min, int max, String expected) {
    return as(expected, text -> {
      try {
        int value = Integer.parseInt(text);
        if (value >= min && value <= max) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below, like an out-of-range number
      }
      throw new IllegalArgumentException(Messages.invalid(text, expected));
    });
  }

  Optional<Boolean> bool() {
    return as("true or false", text -> switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(Messages.invalid(text, "true or false"));
    });
  }

  /** A duration; zero only where the caller documents what zero means. */
  Optional<Duration> duration(boolean zeroAllowed) {
    return as(Durations.EXPECTED, text -> {
      Duration duration = Durations.parse(text);
      if (duration.isZero() && !zeroAllowed) {
        throw new IllegalArgumentException(Messages.invalid(text, "a duration greater than 0, such as 10s"));
      }
      return duration;
    });
  }

  Optional<Long> size(long min, long max) {
    return as(Sizes.EXPECTED, text -> {
      long size = Sizes.parse(text);
      if (size < min) {
        throw new IllegalArgumentException(Messages.invalid(text, "a size of at least " + min + (min == 1 ? " byte" : " bytes")));
      }
      if (size > max) {
        throw new IllegalArgumentException(Messages.invalid(text, "a size of at most " + max + " bytes"));
      }
      return size;
    });
  }

  /** A name an operator gives something ({@code what}: "a route id", "a listener name"). */
  Optional<String> name(String what) {
    return as(what, text -> {
      if (!Names.isValid(text)) {
        throw new IllegalArgumentException(Names.invalid(text, what));
      }
      return text;
    });
  }

  /** One of a fixed set of words, e.g. a load balancer; {@code what} names the kind of word. */
  <E> Optional<E> oneOf(String what, Map<String, E> choices) {
    return as(what, text -> {
      E choice = choices.get(text);
      if (choice == null) {
        throw new IllegalArgumentException("unknown " + what + " " + Messages.quote(text) + " (" + DidYouMean.hint(text, choices.keySet()) + ")");
      }
      return choice;
    });
  }

  void wrongType(String expected) {
    problem("expected " + expected + ", found " + describe());
  }

  private String describe() {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return isNull() ? "nothing" : Messages.quote(((ScalarNode) node).getValue());
  }
}
