package io.sluice.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import io.sluice.config.UpstreamTlsConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * All connection pools of one event loop. Pools outlive config snapshots: a reload that keeps an
 * endpoint keeps its warm connections.
 */
public final class UpstreamPools {

  /**
   * What makes connections interchangeable: the same endpoint, protocol and TLS settings. Two
   * upstreams naming one endpoint with different trust must not share a connection that only one
   * of them would have accepted.
   */
  private record PoolKey(Endpoint endpoint, boolean http2, UpstreamTlsConfig tls) {}

  private final EventLoop loop;
  private final UpstreamConnector connector;
  private final Map<PoolKey, UpstreamPool> pools = new HashMap<>();
  private final Map<Endpoint, List<UpstreamPool>> byEndpoint = new HashMap<>();

  public UpstreamPools(EventLoop loop, UpstreamConnector connector) {
    this.loop = loop;
    this.connector = connector;
  }

  public EventLoop loop() {
    return loop;
  }

  /** The pool for requests of {@code upstream} to {@code endpoint}, created on first use. */
  public UpstreamPool pool(Endpoint endpoint, UpstreamConfig upstream) {
    PoolKey key = new PoolKey(endpoint, upstream.protocol().isHttp2(), upstream.tls());
    UpstreamPool pool = pools.get(key);
    if (pool == null) {
      pool = key.http2()
          ? new Http2ConnectionPool(endpoint, loop, connector)
          : new ConnectionPool(endpoint, loop, connector);
      pools.put(key, pool);
      byEndpoint.computeIfAbsent(endpoint, e -> new ArrayList<>(1)).add(pool);
    }
    return pool;
  }

  /** Requests from this loop in flight to {@code endpoint}, over all its pools. */
  public int inFlight(Endpoint endpoint) {
    List<UpstreamPool> list = byEndpoint.get(endpoint);
    int sum = 0;
    for (int i = 0; list != null && i < list.size(); i++) {
      sum += list.get(i).inFlight();
    }
    return sum;
  }

  /** What this loop's pools hold, per endpoint. Call it on the loop. */
  public Map<Endpoint, PoolStats> stats() {
    Map<Endpoint, PoolStats> out = new HashMap<>();
    for (UpstreamPool pool : pools.values()) {
      out.merge(pool.endpoint(), new PoolStats(pool.openConnections(), pool.inFlight(), pool.connectionsOpened()), PoolStats::plus);
    }
    return out;
  }

  /** Connections opened to {@code endpoint} from this loop so far. */
  public long connectionsOpened(Endpoint endpoint) {
    List<UpstreamPool> list = byEndpoint.getOrDefault(endpoint, List.of());
    return list.stream().mapToLong(UpstreamPool::connectionsOpened).sum();
  }

  /**
   * Opens a connection to {@code endpoint} that no pool will ever hold: a WebSocket belongs to one
   * client for its whole life. TLS goes first for {@code https://} endpoints, then what
   * {@code handlers} adds; {@code ready} hears once, with the usable channel or why there is none.
   *
   * @return cancels the attempt (and closes what it opened); {@code ready} is not called after it
   */
  public Runnable connectDedicated(Endpoint endpoint, UpstreamCluster cluster, Consumer<ChannelPipeline> handlers,
      BiConsumer<Channel, UpstreamFailure> ready) {
    UpstreamConnector.Dial dial = connector.dial(loop, cluster.poolSettings(), endpoint, handlers, ready::accept);
    dial.start(0, null);
    return dial::cancel;
  }

  public void closeIdle() {
    pools.values().forEach(UpstreamPool::closeIdle);
  }
}
