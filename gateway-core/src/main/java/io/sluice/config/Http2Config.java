package io.sluice.config;

import java.time.Duration;

/**
 * HTTP/2 settings of client connections (listeners speaking {@code h2} or {@code h2c}).
 *
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once on one
 *     connection; more are refused with REFUSED_STREAM
 * @param initialWindowBytes flow-control window of each stream (and, scaled up, of the connection): how much
 *     request body a client may send on a stream before the gateway reads it
 * @param maxFrameBytes SETTINGS_MAX_FRAME_SIZE, 16 KiB to 16 MiB - 1
 * @param maxResets RST_STREAM frames a client may send within {@code resetWindow}; one more and the connection
 *     is sent GOAWAY (ENHANCE_YOUR_CALM) and closed, which stops the "rapid reset" attack (CVE-2023-44487)
 * @param resetWindow the window {@code maxResets} and {@code maxServerResets} are counted over, in whole seconds
 * @param maxServerResets streams the gateway may reset on one connection within {@code resetWindow} because the
 *     client broke their rules (a bad WINDOW_UPDATE, a frame on a closed stream, a stream over the concurrency
 *     limit); one more and the connection is sent GOAWAY (ENHANCE_YOUR_CALM) and closed, which stops "MadeYouReset"
 *     (CVE-2025-8671), where the client makes the server reset streams instead of resetting them itself. Resets the
 *     gateway sends for its own reasons (an upstream failing mid-response) do not count.
 */
public record Http2Config(int maxConcurrentStreams, int initialWindowBytes, int maxFrameBytes, int maxResets,
    Duration resetWindow, int maxServerResets) {

  public static final int MIN_FRAME_BYTES = 16 * 1024;
  public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024 - 1;

  /** Streams whose full windows the connection window holds, at most. */
  private static final int STREAMS_PER_CONNECTION_WINDOW = 16;

  /**
   * The connection's flow-control window: room for the full windows of several streams, so that
   * streams whose bodies wait for a slow upstream (their windows full, unread) leave room for the
   * others. It is what one connection can make the gateway hold in memory at most.
   */
  public int connectionWindowBytes() {
    return (int) Math.min(Integer.MAX_VALUE,
        (long) initialWindowBytes * Math.min(maxConcurrentStreams, STREAMS_PER_CONNECTION_WINDOW));
  }

  public static final Http2Config DEFAULTS = new Http2Config(100, 1024 * 1024, MIN_FRAME_BYTES, 200, Duration.ofSeconds(30), 200);
}
