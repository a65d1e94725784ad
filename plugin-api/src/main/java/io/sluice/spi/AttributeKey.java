package io.sluice.spi;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A typed key for data that plugins share on an exchange: the JWT plugin puts verified
 * claims, RBAC and rate limiting read them. Keys made with {@link #of} compare by identity, so
 * declare each once as a constant and publish it from the plugin that owns the value. Plugins in
 * different jars, which cannot see each other's classes, agree on a key by its name instead, with
 * {@link #shared}.
 *
 * {@snippet :
 * public static final AttributeKey<String> CONSUMER = AttributeKey.of("consumer", String.class);
 * exchange.attributes().put(CONSUMER, "mobile-app");
 * String consumer = exchange.attributes().get(CONSUMER); // null when absent
 * }
 *
 * @param <T> the type of the value
 */
public final class AttributeKey<T> {

  /** The keys of {@link #shared}, by name: one per name a plugin declares, so bounded by the code. */
  private static final ConcurrentHashMap<String, AttributeKey<?>> SHARED = new ConcurrentHashMap<>();

  private final String name;
  private final Class<T> type;

  private AttributeKey(String name, Class<T> type) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
  }

  /** A new key; two calls give two different keys. */
  public static <T> AttributeKey<T> of(String name, Class<T> type) {
    return new AttributeKey<>(name, type);
  }

  /**
   * The key named {@code name} for every plugin of the gateway, whichever jar it comes from: the first
   * call makes it, later calls with the same name get the same key. Name it after its owner
   * ({@code "acme.tenant"}), and give it a type both sides can load: a JDK type or an SPI type
   * ({@code String}, {@code Long}, {@code List}, {@link Identity}), never a class of a plugin jar,
   * which another jar's class loader would see as a different class.
   *
   * @throws IllegalArgumentException when {@code name} is shared already with another type
   */
  public static <T> AttributeKey<T> shared(String name, Class<T> type) {
    Objects.requireNonNull(type, "type");
    AttributeKey<?> key = SHARED.computeIfAbsent(Objects.requireNonNull(name, "name"), n -> new AttributeKey<>(n, type));
    if (key.type != type) {
      throw new IllegalArgumentException("attribute key '" + name + "' is shared as " + describe(key.type) + ", not as "
          + describe(type));
    }
    @SuppressWarnings("unchecked")
    AttributeKey<T> typed = (AttributeKey<T>) key;
    return typed;
  }

  private static String describe(Class<?> type) {
    ClassLoader loader = type.getClassLoader();
    return type.getName() + (loader == null ? "" : " (from " + loader.getName() + ")");
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public String toString() {
    return name + ":" + type.getSimpleName();
  }
}
