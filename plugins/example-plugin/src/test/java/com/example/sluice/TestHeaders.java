package com.example.sluice;

import io.sluice.spi.Headers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Headers in a map, checked like the gateway's: names case-insensitive, no CR, LF or NUL in values. */
final class TestHeaders implements Headers {

  private final Map<String, List<String>> values = new LinkedHashMap<>();

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
    values.put(key(name), new ArrayList<>(List.of(checked(value))));
    return this;
  }

  @Override
  public Headers add(String name, String value) {
    values.computeIfAbsent(key(name), k -> new ArrayList<>()).add(checked(value));
    return this;
  }

  @Override
  public Headers remove(String name) {
    values.remove(key(name));
    return this;
  }

  @Override
  public Set<String> names() {
    return Set.copyOf(values.keySet());
  }

  private static String key(String name) {
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
      throw new IllegalArgumentException("header name '" + name + "' (expected: a token)");
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static String checked(String value) {
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("header value with CR, LF or NUL");
    }
    return value;
  }
}
