package io.sluice.spi;

/** The typed attributes of one exchange. Not thread-safe: use it from the exchange's hooks only. */
public interface Attributes {

  /** The value for {@code key}, or {@code null}. */
  <T> T get(AttributeKey<T> key);

  /** Sets the value for {@code key}; {@code null} removes it. */
  <T> void put(AttributeKey<T> key, T value);
}
