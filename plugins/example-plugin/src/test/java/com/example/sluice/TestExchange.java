package com.example.sluice;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Attributes;
import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import io.sluice.spi.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An exchange without a gateway, for unit tests of plugin hooks: a GET to {@code path} on route
 * {@code routeId}, with headers and attributes the test can read and change.
 */
final class TestExchange implements Exchange {

  private final String routeId;
  private final String path;
  private final TestHeaders requestHeaders = new TestHeaders();
  private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();

  TestExchange(String routeId, String path) {
    this.routeId = routeId;
    this.path = path;
  }

  /** Adds a request header; returns this exchange. */
  TestExchange header(String name, String value) {
    requestHeaders.add(name, value);
    return this;
  }

  /** The response head a client would get, with {@code status}, from the upstream. */
  static TestResponse upstreamResponse(int status) {
    return new TestResponse(status, new TestHeaders(), false);
  }

  /** An outcome for {@link io.sluice.spi.Plugin#onComplete}, as after a response with {@code status}. */
  io.sluice.spi.Outcome outcome(int status) {
    return new io.sluice.spi.Outcome(status, null, "", Duration.ofMillis(3), Duration.ofMillis(2), routeId,
        "127.0.0.1:9001", 0, 12);
  }

  @Override
  public String requestId() {
    return "test-request-1";
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
    return path;
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
    return requestHeaders;
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
    return routeId;
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
          attributes.put(key, key.type().cast(value));
        }
      }
    };
  }

  /** A response head. */
  record TestResponse(int status, TestHeaders headers, boolean isFromGateway) implements Response {}
}
