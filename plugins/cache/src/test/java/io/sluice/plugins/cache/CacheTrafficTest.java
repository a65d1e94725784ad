package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.plugins.cache.ScriptedUpstream.Reply;
import io.sluice.testing.H2Client;
import io.sluice.testing.Poll;
import io.sluice.testing.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Coalescing, stale-while-revalidate, invalidation, purge, metrics and reloads. */
class CacheTrafficTest extends CachedRoutes {

  static final String YAML = """
      server:
        listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - id: cached
          match: { path: /c/** }
          upstream: backend
          plugins: [ { cache: { max_bytes: %s } } ]
      """;

  AdminServer admin;

  @Override
  String config() {
    return YAML.formatted("1MiB");
  }

  @BeforeEach
  void startAdmin() throws Exception {
    admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null);
  }

  @AfterEach
  void stopAdmin() {
    admin.close();
  }

  double lookups(String result) throws Exception {
    PrometheusText metrics = PrometheusText.scrape(admin.port());
    return metrics.has("sluice_plugin_cache_lookups_total", "route", "cached", "result", result)
        ? metrics.value("sluice_plugin_cache_lookups_total", "route", "cached", "result", result) : 0;
  }

  @Test
  void concurrentMissesForOneKeyMakeOneUpstreamRequest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/c/slow", (request, n) -> {
      release.await(10, TimeUnit.SECONDS);
      return Reply.of(200, "slow " + n, "Cache-Control", "max-age=60");
    });
    int clients = 8;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      responses.add(getAsync("/c/slow"));
    }
    awaitLookups("coalesced", clients - 1);
    release.countDown();

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow 1");
    }
    assertThat(upstream.count("/c/slow")).isEqualTo(1);
    assertThat(responses.stream().map(CompletableFuture::join)
        .filter(r -> r.headers().firstValue("cache-status").orElse("").contains("collapsed")).count()).isEqualTo(clients - 1);
    assertThat(lookups("miss")).isEqualTo(1);
  }

  @Test
  void whenAnEntryGoesStaleOneRequestRevalidatesItAndTheOthersWait() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/c/expiring", (request, n) -> {
      if (n == 1) {
        return Reply.of(200, "expiring", "Cache-Control", "max-age=1", "ETag", "\"x\"");
      }
      release.await(10, TimeUnit.SECONDS);
      return Reply.of(304, "", "Cache-Control", "max-age=60", "ETag", "\"x\"");
    });
    get("/c/expiring");
    Thread.sleep(1100); // stale now: max-age=1
    int clients = 5;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      responses.add(getAsync("/c/expiring"));
    }
    awaitLookups("coalesced", clients - 1);
    release.countDown();

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get(10, TimeUnit.SECONDS).body()).isEqualTo("expiring");
    }
    assertThat(upstream.count("/c/expiring")).as("the first, the one that found it stale, and nothing more").isEqualTo(2);
  }

  @Test
  void waitersGoUpstreamThemselvesWhenTheFirstResponseCannotBeStored() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/c/private", (request, n) -> {
      release.await(10, TimeUnit.SECONDS);
      return Reply.of(200, "private " + n, "Cache-Control", "private");
    });
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      responses.add(getAsync("/c/private"));
    }
    awaitLookups("coalesced", 2);
    release.countDown();

    assertThat(responses.stream().map(CompletableFuture::join).map(HttpResponse::body))
        .containsExactlyInAnyOrder("private 1", "private 2", "private 3");
  }

  @Test
  void staleWhileRevalidateServesTheStaleResponseAtOnceAndRefreshesItInTheBackgroundOnceAtATime() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/c/swr", (request, n) -> {
      if (n > 1) {
        release.await(10, TimeUnit.SECONDS);
      }
      return Reply.of(200, "swr " + n, "Cache-Control", "max-age=1, stale-while-revalidate=60", "ETag", "\"s" + n + "\"");
    });
    assertThat(get("/c/swr").body()).isEqualTo("swr 1");
    Thread.sleep(1100); // stale now: max-age=1

    HttpResponse<String> first = get("/c/swr"); // answered while its refresh waits at the upstream
    Poll.until("a refresh under way", () -> upstream.count("/c/swr") == 2);
    HttpResponse<String> second = get("/c/swr");

    assertThat(first.body()).isEqualTo("swr 1");
    assertThat(first.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s)
        .contains("stale-while-revalidate"));
    assertThat(second.body()).isEqualTo("swr 1");
    assertThat(upstream.lastRequest().getFirst("If-None-Match")).as("the refresh revalidates").isEqualTo("\"s1\"");
    // counted before the refresh lands: polling for it below may see the stale entry once more
    assertThat(lookups("stale")).isEqualTo(2);
    release.countDown();
    Poll.until("refreshed", () -> body("/c/swr").equals("swr 2"));
    assertThat(upstream.count("/c/swr")).as("one refresh at a time").isEqualTo(2);
  }

  @Test
  void aBackgroundRefreshOutlivesTheHttp2StreamThatStartedIt() throws Exception {
    upstream.on("/c/swr2", (request, n) -> Reply.of(200, "v" + n, "Cache-Control", "max-age=1, stale-while-revalidate=60"));
    assertThat(get("/c/swr2").body()).isEqualTo("v1");
    Thread.sleep(1100);

    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response stale = h2.request("GET", "/c/swr2", Map.of(":authority", "127.0.0.1:" + gateway.port()), null);
      assertThat(stale.bodyText()).isEqualTo("v1");
    }

    Poll.until("refreshed", () -> body("/c/swr2").equals("v2"));
    assertThat(upstream.count("/c/swr2")).isEqualTo(2);
  }

  CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return get(path);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Waits until the counter of lookups with {@code result} reads {@code count}. */
  void awaitLookups(String result, int count) throws InterruptedException {
    Poll.until(count + " lookups " + result, () -> {
      try {
        return lookups(result) == count;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  void aSuccessfulUnsafeRequestInvalidatesItsTargetAndLocation() throws Exception {
    upstream.on("/c/item", (request, n) -> Reply.of(200, "item " + n, "Cache-Control", "max-age=60"));
    upstream.on("/c/list", (request, n) -> request.getRequestMethod().equals("POST")
        ? Reply.of(201, "", "Location", "/c/item")
        : Reply.of(200, "list " + n, "Cache-Control", "max-age=60"));
    upstream.on("/c/refused", (request, n) -> request.getRequestMethod().equals("DELETE")
        ? Reply.of(403, "no")
        : Reply.of(200, "refused " + n, "Cache-Control", "max-age=60"));
    get("/c/item");
    get("/c/list");
    get("/c/refused");

    gateway.send("POST", "/c/list");
    gateway.send("DELETE", "/c/refused");

    assertThat(get("/c/list").body()).isEqualTo("list 3");
    assertThat(get("/c/item").body()).isEqualTo("item 2");
    assertThat(get("/c/refused").body()).as("a failed unsafe request invalidates nothing").isEqualTo("refused 1");
  }

  @Test
  void theAdminApiPurgesOneTargetOrAllUnderAPrefix() throws Exception {
    upstream.on("/c/p/a", (request, n) -> Reply.of(200, "a " + n, "Cache-Control", "max-age=60"));
    upstream.on("/c/p/b", (request, n) -> Reply.of(200, "b " + n, "Cache-Control", "max-age=60"));
    upstream.on("/c/q", (request, n) -> Reply.of(200, "q " + n, "Cache-Control", "max-age=60"));
    get("/c/p/a");
    get("/c/p/b?x=1");
    get("/c/q");

    HttpResponse<String> one = purge("{\"target\": \"http://127.0.0.1/c/p/a\"}");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.body()).contains("\"purged\" : 1");
    assertThat(get("/c/p/a").body()).isEqualTo("a 2");
    assertThat(get("/c/p/b?x=1").body()).isEqualTo("b 1");

    assertThat(purge("{\"prefix\": \"http://127.0.0.1/c/p/\"}").body()).contains("\"purged\" : 2");
    assertThat(get("/c/p/a").body()).isEqualTo("a 3");
    assertThat(get("/c/p/b?x=1").body()).isEqualTo("b 2");
    assertThat(get("/c/q").body()).isEqualTo("q 1");

    assertThat(purge("{\"prefix\": \"http://\", \"route\": \"nope\"}").statusCode()).isEqualTo(404);
    HttpResponse<String> wrong = purge("{\"url\": \"x\"}");
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.body()).contains("BAD_REQUEST").contains("\\\"target\\\"");
  }

  HttpResponse<String> purge(String json) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
        + "/admin/cache/purge")).POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void lookupsAreCountedAndTheStoreIsMeasured() throws Exception {
    upstream.on("/c/m", (request, n) -> Reply.of(200, "m", "Cache-Control", "max-age=60"));
    get("/c/m");
    get("/c/m");
    get("/c/m");

    PrometheusText metrics = PrometheusText.scrape(admin.port());
    assertThat(metrics.value("sluice_plugin_cache_lookups_total", "route", "cached", "result", "hit")).isEqualTo(2);
    assertThat(metrics.value("sluice_plugin_cache_lookups_total", "route", "cached", "result", "miss")).isEqualTo(1);
    assertThat(metrics.value("sluice_plugin_cache_entries", "route", "cached")).isEqualTo(1);
    assertThat(metrics.value("sluice_plugin_cache_bytes", "route", "cached")).isPositive();
    HttpResponse<String> routes = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + admin.port() + "/admin/routes")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(routes.body()).containsPattern("\"entries\" : 1,\\s*\"bytes\" : [1-9]");
  }

  @Test
  void aReloadKeepsTheStoreUnlessTheCacheConfigChanged() throws Exception {
    upstream.on("/c/kept", (request, n) -> Reply.of(200, "kept " + n, "Cache-Control", "max-age=60"));
    get("/c/kept");
    Map<String, String> env = Map.of("UPSTREAM", String.valueOf(upstream.port()));

    assertThat(gateway.reload(YAML.formatted("1MiB"), env)).isEmpty();
    assertThat(get("/c/kept").body()).isEqualTo("kept 1");

    assertThat(gateway.reload(YAML.formatted("2MiB"), env)).isEmpty();
    assertThat(get("/c/kept").body()).isEqualTo("kept 2");
  }
}
