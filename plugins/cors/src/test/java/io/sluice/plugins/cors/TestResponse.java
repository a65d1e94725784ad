package io.sluice.plugins.cors;

import io.sluice.testing.MemoryHeaders;
import io.sluice.spi.Response;

/** A response head on its way to the client. */
record TestResponse(int status, MemoryHeaders headers, boolean isFromGateway) implements Response {

  /** An upstream's response with headers from name, value, name, value, ... */
  static TestResponse upstream(int status, String... headers) {
    return new TestResponse(status, MemoryHeaders.of(headers), false);
  }

  /** An error the gateway or a plugin answered with. */
  static TestResponse gatewayError(int status) {
    return new TestResponse(status, MemoryHeaders.of("content-type", "application/json"), true);
  }
}
