package io.sluice.plugins.rbac;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Attributes;
import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import io.sluice.spi.Identity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An exchange with a method, a path and attributes: all rbac reads. */
record StubExchange(String method, String path, Map<AttributeKey<?>, Object> values) implements Exchange, Attributes {

  static StubExchange of(String method, String path, Identity identity) {
    StubExchange exchange = new StubExchange(method, path, new HashMap<>());
    exchange.put(Identity.KEY, identity);
    return exchange;
  }

  @Override
  public <T> T get(AttributeKey<T> key) {
    return key.type().cast(values.get(key));
  }

  @Override
  public <T> void put(AttributeKey<T> key, T value) {
    values.put(key, value);
  }

  @Override
  public Attributes attributes() {
    return this;
  }

  @Override
  public String requestId() {
    return "req-1";
  }

  @Override
  public String routeId() {
    return "test";
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public String host() {
    return "";
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
    throw new UnsupportedOperationException("rbac does not read headers");
  }

  @Override
  public String clientAddress() {
    return "127.0.0.1";
  }

  @Override
  public boolean isGrpc() {
    return false;
  }
}
