package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gauges of what is open right now: client connections by listener and protocol, HTTP/2 streams,
 * WebSockets. Each is an {@link AtomicLong} changed when a connection's protocol is known and when
 * it closes, and read at scrape time. A listener's counters are made once, when it is bound.
 */
public final class ConnectionMetrics {

  /** The protocols a client connection is counted under. */
  public enum Protocol {
    HTTP1("http1"), H2("h2");

    private final String label;

    Protocol(String label) {
      this.label = label;
    }
  }

  /** The counter a connection is counted in now (it moves on an {@code h2c} upgrade). */
  private static final AttributeKey<AtomicLong> COUNTED_IN = AttributeKey.valueOf("sluice.metrics.connection");

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, AtomicLong> byListenerAndProtocol = new ConcurrentHashMap<>();
  private final AtomicLong http2Streams = new AtomicLong();
  private final AtomicLong webSockets = new AtomicLong();
  private final ConcurrentHashMap<String, Counter[]> webSocketMessages = new ConcurrentHashMap<>();

  public ConnectionMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("sluice.http2.streams.active", http2Streams, AtomicLong::get)
        .description("HTTP/2 streams open on client connections").register(registry);
    Gauge.builder("sluice.websockets.active", webSockets, AtomicLong::get)
        .description("WebSocket connections open (proxied, after their upgrade)").register(registry);
  }

  /** Makes the gauges of listener {@code name} (at zero); called when it is bound, off the event loops. */
  public void listenerBound(String name) {
    for (Protocol protocol : Protocol.values()) {
      counter(name, protocol);
    }
  }

  /**
   * Counts {@code channel} as a client connection of {@code listener} speaking {@code protocol}
   * until it closes, or moves it there when it was counted under another protocol (an HTTP/1.1
   * connection that upgraded to {@code h2c}). On the channel's event loop.
   */
  public void opened(Channel channel, String listener, Protocol protocol) {
    AtomicLong target = counter(listener, protocol);
    AtomicLong before = channel.attr(COUNTED_IN).getAndSet(target);
    if (before == target) {
      return;
    }
    target.incrementAndGet();
    if (before != null) {
      before.decrementAndGet();
      return;
    }
    channel.closeFuture().addListener(closed -> channel.attr(COUNTED_IN).getAndSet(null).decrementAndGet());
  }

  public void http2StreamOpened() {
    http2Streams.incrementAndGet();
  }

  public void http2StreamClosed() {
    http2Streams.decrementAndGet();
  }

  public void webSocketOpened() {
    webSockets.incrementAndGet();
  }

  public void webSocketClosed() {
    webSockets.decrementAndGet();
  }

  /**
   * The counters of WebSocket messages on route {@code routeId}: index 0 counts messages from
   * clients, index 1 messages to them. Looked up once per connection, made on first use.
   */
  public Counter[] webSocketMessages(String routeId) {
    Counter[] counters = webSocketMessages.get(routeId);
    if (counters != null) {
      return counters;
    }
    return webSocketMessages.computeIfAbsent(routeId, route -> new Counter[] {
        webSocketCounter(route, "from_client"), webSocketCounter(route, "to_client")});
  }

  private Counter webSocketCounter(String route, String direction) {
    return Counter.builder("sluice.websocket.messages")
        .description("WebSocket messages relayed, by route and direction")
        .tag("route", route).tag("direction", direction).register(registry);
  }

  private AtomicLong counter(String listener, Protocol protocol) {
    String key = listener + ' ' + protocol.label;
    AtomicLong count = byListenerAndProtocol.get(key);
    if (count != null) {
      return count;
    }
    return byListenerAndProtocol.computeIfAbsent(key, k -> {
      AtomicLong made = new AtomicLong();
      Gauge.builder("sluice.connections.active", made, AtomicLong::get)
          .description("Client connections open, by listener and protocol")
          .tag("listener", listener).tag("protocol", protocol.label).register(registry);
      return made;
    });
  }
}
