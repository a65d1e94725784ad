package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.ByteArrayCodec;
import io.sluice.plugins.cache.ScriptedUpstream.Reply;
import io.sluice.plugins.redis.RedisConnection;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two gateways whose caches share one real Redis, in front of one upstream that counts its requests. */
@ExtendWith(NoLeaksExtension.class)
class CacheRedisTest {

  static SharedCache shared;
  static ScriptedUpstream upstream;

  @BeforeAll
  static void start() throws Exception {
    shared = SharedCache.start(2, Duration.ofSeconds(1));
    upstream = shared.upstream;
  }

  @AfterAll
  static void stop() throws Exception {
    if (shared != null) {
      shared.close();
    }
  }

  @Test
  void aResponseFetchedThroughOneGatewayIsServedByTheOtherWithoutTheUpstream() throws Exception {
    upstream.on("/r/shared", (request, n) -> Reply.of(200, "answer " + n, "Cache-Control", "max-age=100", "Age", "30",
        "Content-Type", "text/plain"));
    double hits = shared.redisLookups(1, "hit");
    double misses = shared.redisLookups(1, "miss");

    HttpResponse<String> first = shared.get(0, "/r/shared");
    shared.awaitInRedis("/r/shared");
    HttpResponse<String> fromRedis = shared.get(1, "/r/shared");
    HttpResponse<String> fromLocal = shared.get(1, "/r/shared");

    assertThat(first.headers().firstValue("cache-status")).contains("sluice; fwd=uri-miss; fwd-status=200; stored");
    assertThat(fromRedis.body()).isEqualTo("answer 1");
    assertThat(fromRedis.headers().firstValue("content-type")).contains("text/plain");
    // the age the upstream gave plus the time since it was stored: a second at most here
    assertThat(fromRedis.headers().firstValue("age")).hasValueSatisfying(age -> assertThat(age).isIn("30", "31"));
    assertThat(fromRedis.headers().firstValue("cache-status")).hasValueSatisfying(status ->
        assertThat(status).matches("sluice; hit; ttl=(70|69); detail=redis"));
    assertThat(upstream.count("/r/shared")).isEqualTo(1);
    // promoted to the second gateway's local tier: a local hit does not ask Redis again
    assertThat(fromLocal.body()).isEqualTo("answer 1");
    assertThat(fromLocal.headers().firstValue("cache-status")).hasValueSatisfying(status ->
        assertThat(status).startsWith("sluice; hit; ttl=").doesNotContain("redis"));
    assertThat(shared.redisLookups(1, "hit") - hits).isEqualTo(1);
    assertThat(shared.redisLookups(1, "miss") - misses).isZero();
  }

  @Test
  void varyIsHonouredAcrossInstances() throws Exception {
    upstream.on("/r/vary", (request, n) -> Reply.of(200, request.getRequestHeaders().getFirst("Accept-Language") + " " + n,
        "Cache-Control", "max-age=100", "Vary", "Accept-Language"));

    assertThat(shared.get(0, "/r/vary", "Accept-Language", "en").body()).isEqualTo("en 1");
    shared.awaitInRedis("/r/vary");
    HttpResponse<String> otherLanguage = shared.get(1, "/r/vary", "Accept-Language", "de");
    HttpResponse<String> sameLanguage = shared.get(1, "/r/vary", "Accept-Language", "en");

    assertThat(otherLanguage.body()).isEqualTo("de 2");
    assertThat(otherLanguage.headers().firstValue("cache-status")).hasValueSatisfying(status ->
        assertThat(status).startsWith("sluice; fwd=vary-miss; fwd-status=200; stored"));
    assertThat(sameLanguage.body()).isEqualTo("en 1");
    assertThat(sameLanguage.headers().firstValue("cache-status")).hasValueSatisfying(status -> assertThat(status).endsWith("detail=redis"));
    // the first gateway has only "en" itself; "de" comes from what the second one wrote
    Poll.until("both variants in Redis", () -> "2".equals(shared.redis.command("HLEN", SharedCache.key("/r/vary")).substring(1)));
    assertThat(shared.get(0, "/r/vary", "Accept-Language", "de").body()).isEqualTo("de 2");
    assertThat(upstream.count("/r/vary")).isEqualTo(2);
  }

  @Test
  void privateNoStoreAndSetCookieResponsesNeverReachRedis() throws Exception {
    upstream.on("/r/private", (request, n) -> Reply.of(200, "p" + n, "Cache-Control", "private, max-age=100"));
    upstream.on("/r/no-store", (request, n) -> Reply.of(200, "s" + n, "Cache-Control", "no-store, max-age=100"));
    upstream.on("/r/cookie", (request, n) -> Reply.of(200, "c" + n, "Cache-Control", "max-age=100", "Set-Cookie", "id=1"));
    upstream.on("/r/public-cookie", (request, n) -> Reply.of(200, "k" + n, "Cache-Control", "public, max-age=100",
        "Set-Cookie", "session=secret"));
    List<String> personal = List.of("/r/private", "/r/no-store", "/r/cookie");

    for (String path : personal) {
      shared.get(0, path);
    }
    shared.get(0, "/r/public-cookie");
    // one connection writes in order: once the last one is there, the others would be too
    shared.awaitInRedis("/r/public-cookie");

    for (String path : personal) {
      assertThat(shared.inRedis(path)).as(path).isFalse();
      shared.get(1, path);
      assertThat(upstream.count(path)).as(path).isEqualTo(2);
    }
    // stored without the cookie: the other gateway serves it, and never someone else's cookie
    HttpResponse<String> shareable = shared.get(1, "/r/public-cookie");
    assertThat(shareable.body()).isEqualTo("k1");
    assertThat(shareable.headers().firstValue("set-cookie")).isEmpty();
    assertThat(upstream.count("/r/public-cookie")).isEqualTo(1);
  }

  @Test
  void theTtlInRedisIsTheRemainingFreshnessPlusTheStaleAllowance() throws Exception {
    upstream.on("/r/ttl", (request, n) -> Reply.of(200, "t", "Cache-Control", "max-age=100"));
    upstream.on("/r/ttl-aged", (request, n) -> Reply.of(200, "a", "Cache-Control", "max-age=100, stale-while-revalidate=20",
        "Age", "10"));
    upstream.on("/r/ttl-error", (request, n) -> Reply.of(200, "e", "Cache-Control", "max-age=10, stale-if-error=300"));

    for (String path : List.of("/r/ttl", "/r/ttl-aged", "/r/ttl-error")) {
      shared.get(0, path);
      shared.awaitInRedis(path);
    }

    assertThat(shared.ttlMillis("/r/ttl")).isBetween(95_000L, 100_000L);
    assertThat(shared.ttlMillis("/r/ttl-aged")).isBetween(105_000L, 110_000L); // 100 + 20 - 10
    assertThat(shared.ttlMillis("/r/ttl-error")).isBetween(305_000L, 310_000L);
  }

  @Test
  void variantsShareTheLongestTtlAndATargetKeepsAtMost32OfThem() throws Exception {
    upstream.on("/r/variants", (request, n) -> Reply.of(200, "v" + n, "Cache-Control",
        "max-age=" + request.getRequestHeaders().getFirst("X-Max-Age"), "Vary", "X-Max-Age, X-Variant"));
    String key = SharedCache.key("/r/variants");

    shared.get(0, "/r/variants", "X-Max-Age", "100", "X-Variant", "0");
    shared.awaitInRedis("/r/variants");
    shared.get(0, "/r/variants", "X-Max-Age", "10", "X-Variant", "1");
    Poll.until("two variants", () -> ":2".equals(shared.redis.command("HLEN", key)));
    assertThat(shared.ttlMillis("/r/variants")).as("a shorter one does not cut the key short").isBetween(95_000L, 100_000L);
    shared.get(0, "/r/variants", "X-Max-Age", "200", "X-Variant", "2");
    Poll.until("three variants", () -> ":3".equals(shared.redis.command("HLEN", key)));
    assertThat(shared.ttlMillis("/r/variants")).as("a longer one makes it live longer").isBetween(195_000L, 200_000L);

    for (int i = 3; i < 32; i++) {
      shared.get(0, "/r/variants", "X-Max-Age", "100", "X-Variant", String.valueOf(i));
    }
    Poll.until("32 variants", () -> ":32".equals(shared.redis.command("HLEN", key)));
    shared.get(0, "/r/variants", "X-Max-Age", "100", "X-Variant", "32");
    Poll.until("the target started again with the 33rd", () -> ":1".equals(shared.redis.command("HLEN", key)));
    assertThat(shared.ttlMillis("/r/variants")).isBetween(95_000L, 100_000L);
  }

  @Test
  void lookupsGoOutOnTheEventLoopsOwnConnectionOnceItIsUp() throws Exception {
    upstream.on("/r/loop", (request, n) -> Reply.of(200, "loop " + n, "Cache-Control", "max-age=100"));
    RedisConnection<?, ?> connection = RedisConnection.find(shared.settings, ByteArrayCodec.INSTANCE);
    shared.get(0, "/r/loop");
    shared.awaitInRedis("/r/loop");
    // every new path is a local miss on the second gateway: a lookup in Redis, from its event loop
    for (int i = 0; connection.loopConnections() == 0 && i < 200; i++) {
      shared.get(1, "/r/loop-warm-" + i);
      Thread.sleep(10);
    }
    double hits = shared.redisLookups(1, "hit");

    HttpResponse<String> fromRedis = shared.get(1, "/r/loop");

    assertThat(connection.loopConnections()).isPositive();
    assertThat(fromRedis.body()).isEqualTo("loop 1");
    assertThat(fromRedis.headers().firstValue("cache-status")).hasValueSatisfying(status -> assertThat(status).endsWith("detail=redis"));
    assertThat(shared.redisLookups(1, "hit") - hits).isEqualTo(1);
  }

  @Test
  void aPurgeThroughOneGatewayRemovesTheEntriesFromRedisForAll() throws Exception {
    for (String path : List.of("/r/purge/a", "/r/purge/b", "/r/purge/c", "/r/kept")) {
      upstream.on(path, (request, n) -> Reply.of(200, path + " " + n, "Cache-Control", "max-age=100"));
      shared.get(0, path);
      shared.awaitInRedis(path);
    }
    assertThat(shared.get(1, "/r/purge/a").body()).isEqualTo("/r/purge/a 1"); // now in the second gateway's local tier too

    HttpResponse<String> exact = shared.purge(0, "{\"target\": \"http://127.0.0.1/r/purge/a\"}");
    assertThat(exact.body()).contains("\"purged\" : 1");
    Poll.until("the exact target is gone from Redis", () -> !shared.inRedis("/r/purge/a"));
    assertThat(shared.inRedis("/r/purge/b")).isTrue();
    // the purging gateway goes to the upstream again; the other keeps its local copy until it is stale or purged there
    assertThat(shared.get(0, "/r/purge/a").body()).isEqualTo("/r/purge/a 2");
    assertThat(shared.get(1, "/r/purge/a").body()).isEqualTo("/r/purge/a 1");
    shared.awaitInRedis("/r/purge/a");
    assertThat(shared.purge(1, "{\"target\": \"http://127.0.0.1/r/purge/a\"}").body()).contains("\"purged\" : 1");
    Poll.until("the exact target is gone from Redis again", () -> !shared.inRedis("/r/purge/a"));
    assertThat(shared.get(1, "/r/purge/a").body()).isEqualTo("/r/purge/a 3");
    shared.awaitInRedis("/r/purge/a");

    shared.purge(1, "{\"prefix\": \"http://127.0.0.1/r/purge/\"}");
    Poll.until("every target under the prefix is gone from Redis",
        () -> !shared.inRedis("/r/purge/a") && !shared.inRedis("/r/purge/b") && !shared.inRedis("/r/purge/c"));
    assertThat(shared.inRedis("/r/kept")).isTrue();
    // the second gateway never had b locally: with Redis purged too, it goes to the upstream
    assertThat(shared.get(1, "/r/purge/b").body()).isEqualTo("/r/purge/b 2");
  }

  @Test
  void aSuccessfulUnsafeRequestRemovesItsTargetFromRedis() throws Exception {
    upstream.on("/r/orders", (request, n) -> Reply.of(request.getRequestMethod().equals("POST") ? 201 : 200, "orders " + n,
        "Cache-Control", "max-age=100"));
    shared.get(0, "/r/orders");
    shared.awaitInRedis("/r/orders");

    assertThat(shared.gateway(1).send("POST", "/r/orders").statusCode()).isEqualTo(201);
    Poll.until("the target is gone from Redis", () -> !shared.inRedis("/r/orders"));
    assertThat(shared.get(1, "/r/orders").body()).isEqualTo("orders 3");
  }

  @Test
  void concurrentMissesMakeOneRedisLookupAndOneUpstreamRequest() throws Exception {
    upstream.on("/r/slow", (request, n) -> {
      Thread.sleep(300);
      return Reply.of(200, "slow " + n, "Cache-Control", "max-age=100");
    });
    double lookupsBefore = shared.redisLookups(1, "miss") + shared.redisLookups(1, "hit");

    List<CompletableFuture<HttpResponse<String>>> misses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      misses.add(CompletableFuture.supplyAsync(() -> send(1, "/r/slow")));
    }
    for (CompletableFuture<HttpResponse<String>> miss : misses) {
      assertThat(miss.join().body()).isEqualTo("slow 1");
    }
    shared.awaitInRedis("/r/slow");
    double hitsBefore = shared.redisLookups(0, "hit");
    List<CompletableFuture<HttpResponse<String>>> hits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      hits.add(CompletableFuture.supplyAsync(() -> send(0, "/r/slow")));
    }
    for (CompletableFuture<HttpResponse<String>> hit : hits) {
      assertThat(hit.join().body()).isEqualTo("slow 1");
    }

    assertThat(upstream.count("/r/slow")).isEqualTo(1);
    assertThat(shared.redisLookups(1, "miss") + shared.redisLookups(1, "hit") - lookupsBefore).isEqualTo(1);
    assertThat(shared.redisLookups(0, "hit") - hitsBefore).isEqualTo(1);
  }

  @Test
  void anEntryLargerThanMaxObjectBytesIsNeverWritten() throws Exception {
    // the body fits max_object_bytes (64KiB), so it is stored here; with its head the entry does not
    upstream.on("/r/large", (request, n) -> Reply.of(200, "x".repeat(64 * 1024 - 10), "Cache-Control", "max-age=100"));
    upstream.on("/r/small", (request, n) -> Reply.of(200, "small", "Cache-Control", "max-age=100"));

    shared.get(0, "/r/large");
    HttpResponse<String> again = shared.get(0, "/r/large");
    shared.get(0, "/r/small");
    shared.awaitInRedis("/r/small");

    assertThat(again.headers().firstValue("cache-status")).hasValueSatisfying(status -> assertThat(status).startsWith("sluice; hit"));
    assertThat(shared.inRedis("/r/large")).isFalse();
  }

  private static HttpResponse<String> send(int gateway, String path) {
    try {
      return shared.get(gateway, path);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
