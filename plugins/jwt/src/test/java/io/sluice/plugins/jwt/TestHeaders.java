package io.sluice.plugins.jwt;

import io.sluice.spi.Headers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Case-insensitive header fields, checked like the gateway's: no CR, LF or NUL in values. */
final class TestHeaders implements Headers {

  private final Map<String, List<String>> fields = new LinkedHashMap<>();

  /** Headers from name, value, name, value, ... */
  static TestHeaders of(String... namesAndValues) {
    TestHeaders headers = new TestHeaders();
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
    fields.put(key(name), new ArrayList<>(List.of(value)));
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

  private static String key(String name) {
    if (!JwtConfig.isToken(name)) {
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
