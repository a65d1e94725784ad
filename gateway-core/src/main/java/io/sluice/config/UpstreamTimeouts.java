package io.sluice.config;

import java.time.Duration;

/**
 * @param connect TCP connect timeout; exceeding it counts as the endpoint being unavailable (502)
 * @param response time from the request being sent until the response header arrives (504 when exceeded)
 * @param idle how long an unused pooled connection is kept
 */
public record UpstreamTimeouts(Duration connect, Duration response, Duration idle) {

  public static final UpstreamTimeouts DEFAULTS =
      new UpstreamTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(15), Duration.ofSeconds(60));
}
