package io.sluice.plugins.jwt;

import io.sluice.testing.MemoryHeaders;
import io.sluice.spi.AttributeKey;
import io.sluice.spi.Attributes;
import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A GET request as the plugin sees it, without a gateway: headers, query and attributes are what matter here. */
final class TestExchange implements Exchange, Attributes {

  private final MemoryHeaders headers;
  private final Map<String, List<String>> query = new HashMap<>();
  private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();

  private TestExchange(MemoryHeaders headers) {
    this.headers = headers;
  }

  /** A request with headers from name, value, name, value, ... */
  static TestExchange of(String... headers) {
    return new TestExchange(MemoryHeaders.of(headers));
  }

  /** A request whose only credential is {@code Authorization: Bearer token}. */
  static TestExchange bearer(String token) {
    return of("authorization", "Bearer " + token);
  }

  TestExchange query(String name, String... values) {
    query.put(name, List.of(values));
    return this;
  }

  @Override
  public String requestId() {
    return "test-request";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public String host() {
    return "api.example.com";
  }

  @Override
  public String path() {
    return "/api/x";
  }

  @Override
  public String rawQuery() {
    return null;
  }

  @Override
  public List<String> queryParameter(String name) {
    return query.getOrDefault(name, List.of());
  }

  @Override
  public String pathParameter(String name) {
    return null;
  }

  @Override
  public MemoryHeaders requestHeaders() {
    return headers;
  }

  @Override
  public String clientAddress() {
    return "127.0.0.1";
  }

  @Override
  public boolean isGrpc() {
    return false;
  }

  @Override
  public String routeId() {
    return "api";
  }

  @Override
  public Attributes attributes() {
    return this;
  }

  @Override
  public <T> T get(AttributeKey<T> key) {
    return key.type().cast(attributes.get(key));
  }

  @Override
  public <T> void put(AttributeKey<T> key, T value) {
    if (value == null) {
      attributes.remove(key);
    } else {
      attributes.put(key, value);
    }
  }
}
