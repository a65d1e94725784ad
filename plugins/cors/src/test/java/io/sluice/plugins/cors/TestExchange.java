package io.sluice.plugins.cors;

import io.sluice.testing.MemoryHeaders;
import io.sluice.spi.AttributeKey;
import io.sluice.spi.Attributes;
import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A request as a plugin sees it, without a gateway: method and headers are what matter to CORS. */
final class TestExchange implements Exchange {

  private final String method;
  private final MemoryHeaders headers;
  private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();

  TestExchange(String method, MemoryHeaders headers) {
    this.method = method;
    this.headers = headers;
  }

  /** A request with {@code method} and headers from name, value, name, value, ... */
  static TestExchange of(String method, String... headers) {
    return new TestExchange(method, MemoryHeaders.of(headers));
  }

  @Override
  public String requestId() {
    return "test-request";
  }

  @Override
  public String method() {
    return method;
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
    return List.of();
  }

  @Override
  public String pathParameter(String name) {
    return null;
  }

  @Override
  public Headers requestHeaders() {
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
    return new Attributes() {
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
    };
  }
}
