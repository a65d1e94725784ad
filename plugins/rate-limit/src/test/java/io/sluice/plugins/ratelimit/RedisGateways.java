package io.sluice.plugins.ratelimit;

import io.sluice.testing.Gateway;
import io.sluice.testing.RedisServer;
import io.sluice.testing.TestUpstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real redis-server, a real upstream and gateways in front of it, for the Redis store's tests;
 * closed together. The YAML given is the {@code redis:} section and the routes: the listener and
 * the upstream {@code backend} are added, and {@code ${REDIS}} is the server's URI.
 */
final class RedisGateways implements AutoCloseable {

  private static final String LISTENER_AND_UPSTREAM = """
      server:
        listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      """;

  final RedisServer redis;
  final TestUpstream upstream;
  private final List<Gateway> gateways = new ArrayList<>();

  private RedisGateways(RedisServer redis, TestUpstream upstream) {
    this.redis = redis;
    this.upstream = upstream;
  }

  /** Starts {@code count} gateways with the same config in front of one upstream, all using {@code redis}. */
  static RedisGateways start(RedisServer redis, String redisAndRoutes, int count) throws Exception {
    RedisGateways all;
    try {
      all = new RedisGateways(redis, new TestUpstream());
    } catch (Exception | Error e) {
      redis.close();
      throw e;
    }
    try {
      for (int i = 0; i < count; i++) {
        all.gateways.add(Gateway.start(config(redisAndRoutes), all.env()));
      }
    } catch (Exception | Error e) {
      all.close();
      throw e;
    }
    return all;
  }

  static String config(String redisAndRoutes) {
    return LISTENER_AND_UPSTREAM + redisAndRoutes;
  }

  Map<String, String> env() {
    return Map.of("UPSTREAM", String.valueOf(upstream.port()), "REDIS", redis.uri());
  }

  Gateway gateway(int index) {
    return gateways.get(index);
  }

  @Override
  public void close() throws InterruptedException {
    for (Gateway gateway : gateways.reversed()) {
      gateway.close();
    }
    upstream.close();
    redis.close();
  }
}
