package io.sluice.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.sluice.config.Endpoint;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The addresses a pool's connections to one endpoint may use: for an endpoint given by host name,
 * what DNS answered last. A pool whose connections are all being reused opens none, and so would
 * never look the name up again: it asks the resolver again now and then, and when the answer drops
 * an address, the connections to it are retired so that traffic follows the name. The resolver
 * answers from its cache until the answer's TTL has passed, so asking costs no query before then.
 * For an IP endpoint every connection is current. Confined to the pool's event loop.
 */
final class EndpointAddresses {

  /** How late a changed answer may be noticed by a pool that opens no connections. */
  static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Endpoint endpoint;
  private final EventLoop loop;
  private final UpstreamConnector connector;
  private final boolean byName;
  private final Consumer<List<InetSocketAddress>> dropped;
  private List<InetSocketAddress> current = List.of();
  /** Counts answers that differ from the one before; a connection that saw this one is current. */
  private int generation;
  private long recheckAtNanos;
  private boolean rechecking;

  /** @param dropped called with the new answer when it lacks an address the previous one had */
  EndpointAddresses(Endpoint endpoint, EventLoop loop, UpstreamConnector connector,
      Consumer<List<InetSocketAddress>> dropped) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.connector = connector;
    this.byName = UpstreamConnector.isHostName(endpoint);
    this.dropped = dropped;
    this.recheckAtNanos = System.nanoTime() + RECHECK_NANOS;
  }

  /** Asks the resolver again if the last answer is older than {@link #RECHECK_NANOS}; never waits for it. */
  void recheckIfDue() {
    if (!byName || rechecking || System.nanoTime() - recheckAtNanos < 0) {
      return;
    }
    rechecking = true;
    connector.resolve(loop, endpoint).addListener(resolved -> {
      rechecking = false;
      if (resolved.isSuccess()) {
        @SuppressWarnings("unchecked")
        List<InetSocketAddress> answer = (List<InetSocketAddress>) resolved.getNow();
        answered(answer);
      } else {
        // keep using what worked: a DNS hiccup should not close healthy connections
        recheckAtNanos = System.nanoTime() + RECHECK_NANOS;
      }
    });
  }

  /** What DNS answers now, from a recheck or from opening a connection. */
  void answered(List<InetSocketAddress> answer) {
    recheckAtNanos = System.nanoTime() + RECHECK_NANOS;
    if (!byName || answer.isEmpty() || answer.size() == current.size() && answer.containsAll(current)) {
      return;
    }
    boolean lost = !answer.containsAll(current);
    current = answer;
    generation++;
    if (lost) {
      dropped.accept(answer);
    }
  }

  /** Records which address {@code connection} went to, now that it is connected. */
  void connected(UpstreamConnection connection, Channel channel) {
    connection.address = (InetSocketAddress) channel.remoteAddress();
    connection.addressGeneration = generation;
  }

  void connected(MultiplexedConnection connection, Channel channel) {
    connection.address = (InetSocketAddress) channel.remoteAddress();
    connection.addressGeneration = generation;
  }

  /** Whether DNS still names the address of {@code connection}. */
  boolean isCurrent(UpstreamConnection connection) {
    if (!byName || connection.addressGeneration == generation) {
      return true;
    }
    if (current.contains(connection.address)) {
      connection.addressGeneration = generation;
      return true;
    }
    return false;
  }

  boolean isCurrent(MultiplexedConnection connection) {
    if (!byName || connection.address == null || connection.addressGeneration == generation) {
      return true;
    }
    if (current.contains(connection.address)) {
      connection.addressGeneration = generation;
      return true;
    }
    return false;
  }
}
