package io.sluice.spi;

import java.util.Objects;

/**
 * A typed key for data that plugins share on an exchange: the JWT plugin puts verified
 * claims, RBAC and rate limiting read them. Keys compare by identity, so declare each once as
 * a constant and publish it from the plugin that owns the value.
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
