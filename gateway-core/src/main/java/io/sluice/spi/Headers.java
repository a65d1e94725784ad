package io.sluice.spi;

import java.util.List;
import java.util.Set;

/**
 * Header fields of a request or response. Names are case-insensitive. Values set here are
 * checked: a name that is not a token, or a value with CR, LF or NUL, is refused with
 * {@link IllegalArgumentException}.
 */
public interface Headers {

  /** The first value of {@code name}, or {@code null}. */
  String get(String name);

  /** All values of {@code name}, in order; empty when absent. */
  List<String> getAll(String name);

  boolean contains(String name);

  /** Replaces every value of {@code name} with {@code value}. */
  Headers set(String name, String value);

  /** Appends a value, keeping existing ones. */
  Headers add(String name, String value);

  /** Removes every value of {@code name}. */
  Headers remove(String name);

  /** The distinct names present, lower case. */
  Set<String> names();
}
