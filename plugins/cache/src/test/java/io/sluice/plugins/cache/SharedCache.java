package io.sluice.plugins.cache;

import io.lettuce.core.codec.ByteArrayCodec;
import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.plugins.redis.RedisConnection;
import io.sluice.spi.RedisSettings;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real redis-server, a {@link ScriptedUpstream}, and gateways in front of it whose caches share
 * that Redis ({@code store: redis} on route {@code r}, paths {@code /r/**}), each with its admin
 * listener; closed together.
 */
final class SharedCache implements AutoCloseable {

  private static final String YAML = """
      server:
        listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
      redis: { %s: %s, command_timeout: %s }
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - id: r
          match: { path: /r/** }
          upstream: backend
          plugins:
            - cache: { store: redis, max_bytes: 1MiB, max_object_bytes: 64KiB }
      """;

  final RedisServer redis;
  final ScriptedUpstream upstream;
  final RedisSettings settings;
  private final List<Gateway> gateways = new ArrayList<>();
  private final List<AdminServer> admins = new ArrayList<>();

  private SharedCache(RedisServer redis, ScriptedUpstream upstream, Duration commandTimeout, boolean cluster) {
    this.redis = redis;
    this.upstream = upstream;
    this.settings = new RedisSettings(List.of(redis.uri()), cluster, commandTimeout);
  }

  /** Starts {@code count} gateways, and returns once their cache is connected to Redis. */
  static SharedCache start(int count, Duration commandTimeout) throws Exception {
    return start(count, commandTimeout, false);
  }

  /** The same with a Redis Cluster (of one node serving every slot) when {@code cluster}. */
  static SharedCache start(int count, Duration commandTimeout, boolean cluster) throws Exception {
    SharedCache all = new SharedCache(cluster ? RedisServer.startCluster() : RedisServer.start(), new ScriptedUpstream(),
        commandTimeout, cluster);
    try {
      Map<String, String> env = Map.of("UPSTREAM", String.valueOf(all.upstream.port()), "REDIS", all.redis.uri());
      String section = cluster ? "cluster" : "uri";
      String uris = cluster ? "[ \"${REDIS}\" ]" : "\"${REDIS}\"";
      for (int i = 0; i < count; i++) {
        Gateway gateway = Gateway.start(YAML.formatted(section, uris, commandTimeout.toMillis() + "ms"), env);
        all.gateways.add(gateway);
        all.admins.add(AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null));
      }
      Poll.until("the cache is connected to Redis", () -> RedisConnection.find(all.settings, ByteArrayCodec.INSTANCE).connected());
    } catch (Exception | Error e) {
      all.close();
      throw e;
    }
    return all;
  }

  Gateway gateway(int index) {
    return gateways.get(index);
  }

  HttpResponse<String> get(int gateway, String path, String... headers) throws Exception {
    return gateways.get(gateway).send("GET", path, headers);
  }

  /** {@code POST /admin/cache/purge} on one gateway's admin listener. */
  HttpResponse<String> purge(int gateway, String json) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admins.get(gateway).port()
        + "/admin/cache/purge")).POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET /admin/routes} on one gateway's admin listener. */
  String routes(int gateway) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admins.get(gateway).port()
        + "/admin/routes")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The Redis key of the path's target, as the gateways' requests name it. */
  static String key(String path) {
    return RedisTier.KEY_PREFIX + "http://127.0.0.1" + path;
  }

  /** Whether Redis holds the path's entries. */
  boolean inRedis(String path) {
    return ":1".equals(redis.command("EXISTS", key(path)));
  }

  /** Waits until what a gateway stored for the path is in Redis (writes are not waited for). */
  void awaitInRedis(String path) throws InterruptedException {
    Poll.until(path + " is in Redis", () -> inRedis(path));
  }

  /** The TTL Redis keeps the path's entries for, in milliseconds (-2: no such key, -1: none). */
  long ttlMillis(String path) {
    return Long.parseLong(redis.command("PTTL", key(path)).substring(1));
  }

  /** A count of the cache's Redis lookups on one gateway: {@code hit}, {@code miss} or {@code unavailable}. */
  double redisLookups(int gateway, String result) {
    var counter = gateways.get(gateway).server().meters().find("sluice.plugin.cache.redis_lookups")
        .tag("route", "r").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  @Override
  public void close() throws InterruptedException {
    for (AdminServer admin : admins) {
      admin.close();
    }
    for (Gateway gateway : gateways.reversed()) {
      gateway.close();
    }
    upstream.close();
    redis.close();
  }
}
