package io.sluice.spi;

/**
 * The head of the response about to go to the client: from the upstream, from a direct
 * route, or an error the gateway or a plugin answered with. Headers are mutable in
 * {@link Plugin#onResponse}.
 */
public interface Response {

  /** The HTTP status. */
  int status();

  /** The response headers (mutable). */
  Headers headers();

  /** Whether the gateway (or a plugin) produced this response rather than the upstream. */
  boolean isFromGateway();
}
