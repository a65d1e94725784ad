package io.sluice.config;

import java.time.Duration;
import java.util.List;

/**
 * A route's {@code websocket:}: the route proxies WebSocket connections (and only those).
 *
 * @param allowedOrigins normalized origins and {@code scheme://*.domain} patterns an upgrade's
 *     {@code Origin} must match; empty when any origin (and none) is allowed
 * @param maxMessageBytes the largest message (all fragments together), either direction
 * @param idleTimeout how long a connection may carry no frame; the gateway pings once halfway
 * @param messageRate messages per connection the client may send per window; {@code null} for no limit
 */
public record WebSocketConfig(List<String> allowedOrigins, long maxMessageBytes, Duration idleTimeout, MessageRate messageRate) {

  public static final long DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

  /** Every origin, 1 MiB messages, 5 minutes idle, no message rate. */
  public static final WebSocketConfig DEFAULTS =
      new WebSocketConfig(List.of(), DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_IDLE_TIMEOUT, null);

  public WebSocketConfig {
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** At most {@code limit} messages from the client per {@code window}. */
  public record MessageRate(int limit, Duration window) {}
}
