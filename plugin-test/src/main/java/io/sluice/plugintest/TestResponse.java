package io.sluice.plugintest;

import io.sluice.spi.Response;

/**
 * A response head for {@link io.sluice.spi.Plugin#onResponse}: from the upstream
 * ({@link #fromUpstream}) or answered by the gateway or a plugin ({@link #fromGateway}).
 *
 * @param status the HTTP status
 * @param headers the response headers, which the hook may change
 * @param isFromGateway whether the gateway (or a plugin) produced it
 */
public record TestResponse(int status, TestHeaders headers, boolean isFromGateway) implements Response {

  /** A response with {@code status} from the upstream, without headers. */
  public static TestResponse fromUpstream(int status) {
    return new TestResponse(status, new TestHeaders(), false);
  }

  /** A response with {@code status} the gateway or a plugin answered with, without headers. */
  public static TestResponse fromGateway(int status) {
    return new TestResponse(status, new TestHeaders(), true);
  }
}
