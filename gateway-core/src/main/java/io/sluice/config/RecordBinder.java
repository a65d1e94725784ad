package io.sluice.config;

import io.sluice.spi.OneOrMore;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds a YAML mapping to a plugin's config record, following the rules in
 * {@link io.sluice.spi.PluginFactory}: keys are the snake_case names of the components, and
 * the record's own constructor has the last word. Reflection runs once per config load, never
 * per request.
 */
final class RecordBinder {

  private static final String SUPPORTED =
      "String, boolean, int, long, double, Duration, an enum, a record, or a List, Set or Map<String, ?> of those";
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private static final Map<Class<?>, Function<YamlNode, Optional<?>>> SCALARS = scalars();

  /** What an absent key binds as: empty collections, {@code false} and {@code 0} for primitives, otherwise {@code null}. */
  private static final Map<Class<?>, Object> ABSENT = Map.of(
      List.class, List.of(), Set.class, Set.of(), Map.class, Map.of(),
      boolean.class, false, int.class, 0, long.class, 0L, double.class, 0.0);

  private RecordBinder() {}

  private static Map<Class<?>, Function<YamlNode, Optional<?>>> scalars() {
    Function<YamlNode, Optional<?>> bool = YamlNode::bool;
    Function<YamlNode, Optional<?>> integer = n -> n.integer(Integer.MIN_VALUE, Integer.MAX_VALUE, "an integer");
    Function<YamlNode, Optional<?>> longInteger = n -> number(n, "an integer", Long::parseLong);
    Function<YamlNode, Optional<?>> decimal = n -> number(n, "a number", RecordBinder::decimal);
    return Map.of(
        String.class, n -> n.text("a string"),
        boolean.class, bool, Boolean.class, bool,
        int.class, integer, Integer.class, integer,
        long.class, longInteger, Long.class, longInteger,
        double.class, decimal, Double.class, decimal,
        Duration.class, n -> n.as(Durations.EXPECTED, Durations::parse));
  }

  /** The YAML keys of {@code type}, in component order: {@code allow_origins} for {@code allowOrigins}. */
  static List<String> keys(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(c -> snakeCase(c.getName())).toList();
  }

  /**
   * Binds {@code map}, read from {@code node}, to {@code type}; keys of {@code map} that are not
   * components are left to the caller. Empty when anything was wrong, each mistake reported.
   */
  static Optional<Record> bind(YamlNode node, YamlMap map, Class<? extends Record> type) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    boolean complete = !map.isBroken() && map.written() == map.entries().size();
    for (int i = 0; i < components.length; i++) {
      RecordComponent component = components[i];
      Optional<YamlNode> written = map.optional(snakeCase(component.getName()));
      if (written.isEmpty()) {
        values[i] = ABSENT.get(component.getType());
        continue;
      }
      YamlNode node1 = written.get();
      Optional<Object> value = component.isAnnotationPresent(OneOrMore.class) && !node1.isList() && !node1.isNull()
          ? value(node1, component.getGenericType(), true)
          : value(node1, component.getGenericType());
      values[i] = value.orElse(null);
      complete &= value.isPresent();
    }
    // a constructor given stand-ins would complain about mistakes already reported
    return complete ? construct(node, type, components, values) : Optional.empty();
  }

  private static Optional<Record> construct(YamlNode node, Class<? extends Record> type, RecordComponent[] components, Object[] values) {
    try {
      Constructor<? extends Record> constructor =
          type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      if (!constructor.canAccess(null)) {
        constructor.setAccessible(true); // a plugin's record may be nested in a class we cannot otherwise reach
      }
      return Optional.of(constructor.newInstance(values));
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
        node.problem(cause.getMessage());
      } else {
        node.problem(notCreated(cause));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      node.problem(notCreated(e));
    }
    return Optional.empty();
  }

  private static String notCreated(Throwable e) {
    return "plugin config could not be created: " + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * The components of {@code type} (and of the records, lists, sets and maps in it) that no YAML
   * could ever bind, as {@code Record.component (type)}: checked when a plugin is installed, so
   * that the author hears of it then, not the operator when setting that key one day.
   */
  static List<String> unbindable(Class<? extends Record> type) {
    List<String> out = new ArrayList<>();
    unbindable(type, new java.util.HashSet<>(), out);
    return out;
  }

  private static void unbindable(Class<? extends Record> type, Set<Class<?>> seen, List<String> out) {
    if (!seen.add(type)) {
      return;
    }
    for (RecordComponent component : type.getRecordComponents()) {
      Type bad = firstUnbindable(component.getGenericType(), seen, out);
      if (bad != null) {
        out.add(type.getName() + "." + component.getName() + " (" + bad.getTypeName() + ")");
      }
    }
  }

  /** The part of {@code type} no YAML binds to, or {@code null}; nested records are checked on their own. */
  @SuppressWarnings("unchecked")
  private static Type firstUnbindable(Type type, Set<Class<?>> seen, List<String> out) {
    if (type instanceof ParameterizedType generic && generic.getRawType() instanceof Class<?> raw) {
      Type[] arguments = generic.getActualTypeArguments();
      if (raw == List.class || raw == Set.class) {
        return firstUnbindable(arguments[0], seen, out);
      }
      if (raw == Map.class) {
        return arguments[0] == String.class ? firstUnbindable(arguments[1], seen, out) : type;
      }
      return type;
    }
    if (type instanceof Class<?> plain) {
      if (SCALARS.containsKey(plain) || plain.isEnum()) {
        return null;
      }
      if (plain.isRecord()) {
        unbindable((Class<? extends Record>) plain, seen, out);
        return null;
      }
    }
    return type;
  }

  /** What a plugin config may hold, for messages. */
  static String supported() {
    return SUPPORTED;
  }

  /** A single value for a {@link OneOrMore} list or set: bound as a collection of one. */
  private static Optional<Object> value(YamlNode node, Type type, boolean single) {
    if (type instanceof ParameterizedType generic && (generic.getRawType() == List.class || generic.getRawType() == Set.class)) {
      Optional<Object> item = value(node, generic.getActualTypeArguments()[0]);
      return item.map(v -> generic.getRawType() == List.class ? List.of(v) : Set.of(v));
    }
    return value(node, type);
  }

  @SuppressWarnings("unchecked")
  private static Optional<Object> value(YamlNode node, Type type) {
    if (type instanceof ParameterizedType generic && generic.getRawType() instanceof Class<?> raw) {
      Type[] arguments = generic.getActualTypeArguments();
      if (raw == List.class) {
        return list(node, arguments[0]).map(Collections::unmodifiableList);
      }
      if (raw == Set.class) {
        return set(node, arguments[0]).map(Collections::unmodifiableSet);
      }
      if (raw == Map.class && arguments[0] == String.class) {
        return map(node, arguments[1]).map(Collections::unmodifiableMap);
      }
    } else if (type instanceof Class<?> plain) {
      Function<YamlNode, Optional<?>> scalar = SCALARS.get(plain);
      if (scalar != null) {
        return (Optional<Object>) scalar.apply(node);
      }
      if (plain.isEnum()) {
        return constant(node, plain);
      }
      if (plain.isRecord()) {
        Class<? extends Record> record = (Class<? extends Record>) plain;
        return bind(node, node.map(keys(record)), record).map(r -> r);
      }
    }
    node.problem("cannot be bound to " + type.getTypeName() + " (a plugin config supports " + SUPPORTED + ")");
    return Optional.empty();
  }

  private static Optional<?> number(YamlNode node, String expected, Function<String, ?> parser) {
    return node.as(expected, text -> {
      try {
        return parser.apply(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(Messages.invalid(text, expected));
      }
    });
  }

  /** A plain decimal number: Java's own parser would also take {@code NaN}, {@code 0x1p3} and {@code 1d}. */
  private static double decimal(String text) {
    double value = DECIMAL.matcher(text).matches() ? Double.parseDouble(text) : Double.NaN;
    if (!Double.isFinite(value)) {
      throw new NumberFormatException(text);
    }
    return value;
  }

  /** An enum constant by its lower-case or snake_case name; {@code token_bucket} for {@code TOKEN_BUCKET} or {@code tokenBucket}. */
  private static Optional<Object> constant(YamlNode node, Class<?> type) {
    Map<String, Object> byName = new LinkedHashMap<>();
    for (Object constant : type.getEnumConstants()) {
      byName.put(snakeCase(((Enum<?>) constant).name()), constant);
    }
    List<String> allowed = List.copyOf(byName.keySet());
    for (Object constant : type.getEnumConstants()) {
      byName.putIfAbsent(((Enum<?>) constant).name().toLowerCase(Locale.ROOT), constant);
    }
    return node.as("one of " + String.join(", ", allowed), text -> {
      Object constant = byName.get(text);
      if (constant == null) {
        String hint = DidYouMean.closest(text, allowed).map(c -> "did you mean '" + c + "'? ").orElse("");
        throw new IllegalArgumentException(Messages.quote(text) + " (" + hint + "expected one of: " + String.join(", ", allowed) + ")");
      }
      return constant;
    });
  }

  private static Optional<List<Object>> list(YamlNode node, Type itemType) {
    List<Object> out = new ArrayList<>();
    boolean complete = true;
    for (YamlNode item : node.list()) {
      Optional<Object> value = value(item, itemType);
      value.ifPresent(out::add);
      complete &= value.isPresent();
    }
    return complete && (node.isList() || node.isNull()) ? Optional.of(out) : Optional.empty();
  }

  /** In YAML order; an item written twice is a mistake, since it is most likely a slip. */
  private static Optional<Set<Object>> set(YamlNode node, Type itemType) {
    Map<Object, SourcePosition> firstAt = new LinkedHashMap<>();
    boolean complete = true;
    for (YamlNode item : node.list()) {
      Optional<Object> value = value(item, itemType);
      complete &= value.isPresent();
      if (value.isPresent()) {
        SourcePosition first = firstAt.putIfAbsent(value.get(), item.position());
        if (first != null) {
          item.problem("duplicate item (first at line " + first.line() + ")");
          complete = false;
        }
      }
    }
    return complete && (node.isList() || node.isNull()) ? Optional.of(new LinkedHashSet<>(firstAt.keySet())) : Optional.empty();
  }

  private static Optional<Map<String, Object>> map(YamlNode node, Type valueType) {
    YamlMap map = node.freeMap();
    Map<String, Object> out = new LinkedHashMap<>();
    boolean complete = !map.isBroken() && map.written() == map.entries().size();
    for (YamlMap.Entry entry : map.entries()) {
      Optional<Object> value = value(entry.value(), valueType);
      value.ifPresent(v -> out.put(entry.key(), v));
      complete &= value.isPresent();
    }
    return complete ? Optional.of(out) : Optional.empty();
  }

  /**
   * {@code allowOrigins} -> {@code allow_origins}, {@code TOKEN_BUCKET} -> {@code token_bucket}, {@code maxURLLength} -> {@code max_url_length}.
   * One trailing {@code _} is dropped, so that a component can be named after a Java keyword: {@code default_} -> {@code default}.
   */
  static String snakeCase(String name) {
    int end = name.length() > 1 && name.endsWith("_") ? name.length() - 1 : name.length();
    StringBuilder out = new StringBuilder(end + 4);
    for (int i = 0; i < end; i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && name.charAt(i - 1) != '_') {
        char before = name.charAt(i - 1);
        boolean wordStarts = !Character.isUpperCase(before)
            || (i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1)));
        if (wordStarts) {
          out.append('_');
        }
      }
      out.append(Character.toLowerCase(c));
    }
    return out.toString();
  }
}
