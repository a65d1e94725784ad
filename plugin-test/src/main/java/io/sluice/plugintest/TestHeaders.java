package io.sluice.plugintest;

import io.sluice.spi.Headers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Header fields in memory, checked as the gateway checks what plugins set: names are
 * case-insensitive tokens ({@link Headers#isValidName}), values {@link Headers#isValidValue}; anything
 * else is refused with {@link IllegalArgumentException}, as in the gateway.
 */
public final class TestHeaders implements Headers {

  private final Map<String, List<String>> values = new LinkedHashMap<>();

  /** Headers from name-value pairs: {@code TestHeaders.of("accept", "text/html", "x-tenant", "acme")}. */
  public static TestHeaders of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values come in pairs, got " + namesAndValues.length + " strings");
    }
    TestHeaders headers = new TestHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  @Override
  public String get(String name) {
    List<String> all = values.get(key(name));
    return all == null ? null : all.get(0);
  }

  @Override
  public List<String> getAll(String name) {
    return List.copyOf(values.getOrDefault(key(name), List.of()));
  }

  @Override
  public boolean contains(String name) {
    return values.containsKey(key(name));
  }

  @Override
  public Headers set(String name, String value) {
    values.put(checkedName(name), new ArrayList<>(List.of(checkedValue(name, value))));
    return this;
  }

  @Override
  public Headers add(String name, String value) {
    values.computeIfAbsent(checkedName(name), k -> new ArrayList<>()).add(checkedValue(name, value));
    return this;
  }

  @Override
  public Headers remove(String name) {
    values.remove(key(name));
    return this;
  }

  @Override
  public Set<String> names() {
    return new LinkedHashSet<>(values.keySet());
  }

  @Override
  public String toString() {
    return values.toString();
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static String checkedName(String name) {
    if (!Headers.isValidName(name)) {
      throw new IllegalArgumentException("header name '" + name + "' is not a token");
    }
    return key(name);
  }

  private static String checkedValue(String name, String value) {
    if (!Headers.isValidValue(value)) {
      throw new IllegalArgumentException("header '" + name + "' has a value that cannot be sent (CR, LF, NUL, another control"
          + " character or a character beyond U+00FF)");
    }
    return value;
  }
}
