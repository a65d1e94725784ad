package io.sluice.config;

/**
 * The {@code server.overload:} section: when the gateway refuses work rather than queue it or run
 * out of memory.
 *
 * @param maxInFlight cap on exchanges in progress over all listeners (requests, gRPC calls,
 *     WebSocket sessions); one more is answered 503 {@code OVERLOADED} at once. {@code 0} for no cap
 * @param heap thresholds on the Java heap in use after the last garbage collection, as a share of the maximum heap
 * @param directMemory thresholds on direct (off-heap) buffer memory in use, as a share of its maximum
 */
public record OverloadConfig(int maxInFlight, MemoryThresholds heap, MemoryThresholds directMemory) {

  /** No in-flight cap; memory thresholds at 90% (stop keep-alive) and 95% (refuse). */
  public static final OverloadConfig DEFAULTS =
      new OverloadConfig(0, MemoryThresholds.DEFAULTS, MemoryThresholds.DEFAULTS);

  /**
   * Two levels of memory pressure, as fractions of one ({@code 0.9} for 90%).
   *
   * @param stopKeepAlive from here on, client connections close after their current response
   *     (HTTP/1.1 {@code Connection: close}), so that clients reconnect elsewhere
   * @param refuse from here on, new requests are answered 503 {@code OVERLOADED} without being forwarded
   */
  public record MemoryThresholds(double stopKeepAlive, double refuse) {
    public static final MemoryThresholds DEFAULTS = new MemoryThresholds(0.90, 0.95);
  }
}
