package io.sluice.plugins.jwt;

import io.sluice.plugintest.TestExchange;

/** Requests as the jwt plugin sees them: their credentials are in headers and the query. */
final class Requests {

  private Requests() {}

  /** A request with headers from name, value, name, value, ... */
  static TestExchange of(String... headers) {
    return TestExchange.get("/api/x").headers(headers);
  }

  /** A request whose only credential is {@code Authorization: Bearer token}. */
  static TestExchange bearer(String token) {
    return of("authorization", "Bearer " + token);
  }
}
