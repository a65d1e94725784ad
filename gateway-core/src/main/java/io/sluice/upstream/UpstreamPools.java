package io.sluice.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.sluice.config.Endpoint;
import java.util.HashMap;
import java.util.Map;

/**
 * All connection pools of one event loop, keyed by endpoint. Pools outlive config snapshots:
 * a reload that keeps an endpoint keeps its warm connections.
 */
public final class UpstreamPools {

  private final EventLoop loop;
  private final Class<? extends Channel> channelType;
  private final Map<Endpoint, ConnectionPool> pools = new HashMap<>();

  public UpstreamPools(EventLoop loop, Class<? extends Channel> channelType) {
    this.loop = loop;
    this.channelType = channelType;
  }

  public EventLoop loop() {
    return loop;
  }

  /** The pool for {@code endpoint}, created on first use. */
  public ConnectionPool pool(Endpoint endpoint) {
    ConnectionPool pool = pools.get(endpoint);
    if (pool == null) {
      pool = new ConnectionPool(endpoint, loop, channelType);
      pools.put(endpoint, pool);
    }
    return pool;
  }

  /** Connections opened to {@code endpoint} from this loop so far. */
  public long connectionsOpened(Endpoint endpoint) {
    ConnectionPool pool = pools.get(endpoint);
    return pool == null ? 0 : pool.connectionsOpened();
  }

  public void closeIdle() {
    pools.values().forEach(ConnectionPool::closeIdle);
  }
}
