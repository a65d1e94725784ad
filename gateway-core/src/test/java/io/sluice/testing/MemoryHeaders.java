package io.sluice.testing;

import io.sluice.spi.Headers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * SPI {@link Headers} in memory, for plugin unit tests without a gateway: case-insensitive,
 * in insertion order, and checked like the gateway's (names must be tokens; no CR, LF or NUL).
 */
public final class MemoryHeaders implements Headers {

  private static final String SEPARATORS = "\"(),/:;<=>?@[\\]{}";

  private final Map<String, List<String>> fields = new LinkedHashMap<>();

  /** Headers from name, value, name, value, ... */
  public static MemoryHeaders of(String... namesAndValues) {
    MemoryHeaders headers = new MemoryHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  @Override
  public String get(String name) {
    List<String> values = fields.get(key(name));
    return values == null ? null : values.get(0);
  }

  @Override
  public List<String> getAll(String name) {
    return List.copyOf(fields.getOrDefault(key(name), List.of()));
  }

  @Override
  public boolean contains(String name) {
    return fields.containsKey(key(name));
  }

  @Override
  public Headers set(String name, String value) {
    check(value);
    List<String> values = new ArrayList<>();
    values.add(value);
    fields.put(key(name), values);
    return this;
  }

  @Override
  public Headers add(String name, String value) {
    check(value);
    fields.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
    return this;
  }

  @Override
  public Headers remove(String name) {
    fields.remove(key(name));
    return this;
  }

  @Override
  public Set<String> names() {
    return new LinkedHashSet<>(fields.keySet());
  }

  /** Every field as {@code name: value}, in order, names lower case. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    fields.forEach((name, values) -> values.forEach(value -> lines.add(name + ": " + value)));
    return lines;
  }

  private static String key(String name) {
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7F && SEPARATORS.indexOf(c) < 0)) {
      throw new IllegalArgumentException("not a header name: " + name);
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static void check(String value) {
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("CR, LF or NUL in a header value");
    }
  }
}
