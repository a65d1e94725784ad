package io.sluice.plugins.cors;

import io.sluice.plugintest.TestExchange;

/** Requests as CORS sees them: the method and the headers are what matter. */
final class Requests {

  private Requests() {}

  /** A request with {@code method} and headers from name, value, name, value, ... */
  static TestExchange of(String method, String... headers) {
    return TestExchange.request(method, "/").headers(headers);
  }
}
