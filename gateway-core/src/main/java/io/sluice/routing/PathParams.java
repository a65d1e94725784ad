package io.sluice.routing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The path parameters a route captured, in pattern order: {@code /users/{id}} on
 * {@code /users/42} gives {@code id -> 42}. Values are the raw segment text (still
 * percent-encoded as in the normalized path). Routes without parameters share {@link #EMPTY}.
 */
public final class PathParams {

  public static final PathParams EMPTY = new PathParams(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;

  PathParams(String[] names, String[] values) {
    this.names = names;
    this.values = values;
  }

  public int size() {
    return names.length;
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  public String name(int index) {
    return names[index];
  }

  public String value(int index) {
    return values[index];
  }

  /** The value captured under {@code name}, or {@code null} when the route has no such parameter. */
  public String get(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return values[i];
      }
    }
    return null;
  }

  /** A copy as an ordered map, for logs and tests; not for the request path. */
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      map.putIfAbsent(names[i], values[i]);
    }
    return map;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PathParams params && asMap().equals(params.asMap());
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
