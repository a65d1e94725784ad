package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.cache.ScriptedUpstream.Reply;
import io.sluice.testing.Poll;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Redis tier on a Redis Cluster: cluster-aware lookups, writes (a script on one key) and prefix purges (a scan of every node). */
class CacheRedisClusterTest {

  @Test
  void oneGatewaysResponseIsServedByTheOtherAndAPrefixPurgeEmptiesTheCluster() throws Exception {
    try (SharedCache shared = SharedCache.start(2, Duration.ofSeconds(1), true)) {
      for (String path : List.of("/r/c/a", "/r/c/b", "/r/kept")) {
        shared.upstream.on(path, (request, n) -> Reply.of(200, path + " " + n, "Cache-Control", "max-age=100"));
        shared.get(0, path);
        shared.awaitInRedis(path);
      }

      HttpResponse<String> fromRedis = shared.get(1, "/r/c/a");
      shared.purge(0, "{\"prefix\": \"http://127.0.0.1/r/c/\"}");
      Poll.until("the prefix is purged from the cluster", () -> !shared.inRedis("/r/c/a") && !shared.inRedis("/r/c/b"));

      assertThat(fromRedis.body()).isEqualTo("/r/c/a 1");
      assertThat(fromRedis.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s).endsWith("detail=redis"));
      assertThat(shared.upstream.count("/r/c/a")).isEqualTo(1);
      assertThat(shared.inRedis("/r/kept")).isTrue();
      assertThat(shared.ttlMillis("/r/kept")).isBetween(95_000L, 100_000L);
      assertThat(shared.routes(1)).contains("\"redis_connected\" : true");
    }
  }
}
