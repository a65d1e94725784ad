package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.cache.ScriptedUpstream.Reply;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What is stored and served: the real gateway in front of an upstream whose answers each test scripts. */
class CacheGatewayTest extends CachedRoutes {

  @Override
  String config() {
    return """
      server:
        listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
      upstreams:
        backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
      routes:
        - id: cached
          match: { path: /c/** }
          upstream: backend
          plugins:
            - cache: { max_bytes: 1MiB, max_object_bytes: 64KiB, key: { query: { exclude: [utm] }, headers: [x-tenant] } }
        - id: keyed
          match: { path: /k/** }
          upstream: backend
          plugins:
            - api_key: { consumers: [ { name: alice, keys: [alice-key] }, { name: bob, keys: [bob-key] } ] }
            - cache: {}
        - id: ttl
          match: { path: /ttl/** }
          upstream: backend
          plugins: [ { cache: { default_ttl: 1h } } ]
      """;
  }

  @Test
  void aFreshResponseIsServedFromTheStoreWithAgeAndCacheStatus() throws Exception {
    upstream.on("/c/a", (request, n) -> Reply.of(200, "answer " + n, "Cache-Control", "max-age=60", "Content-Type", "text/plain"));

    HttpResponse<String> first = get("/c/a");
    HttpResponse<String> second = get("/c/a");

    assertThat(first.body()).isEqualTo("answer 1");
    assertThat(first.headers().firstValue("cache-status")).contains("sluice; fwd=uri-miss; fwd-status=200; stored");
    assertThat(second.body()).isEqualTo("answer 1");
    assertThat(second.headers().firstValue("age")).contains("0");
    assertThat(second.headers().firstValue("content-type")).contains("text/plain");
    assertThat(second.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s).startsWith("sluice; hit; ttl="));
    assertThat(second.headers().firstValue("x-request-id")).isNotEqualTo(first.headers().firstValue("x-request-id"));
    assertThat(upstream.count("/c/a")).isEqualTo(1);
  }

  @Test
  void theAgeTheUpstreamReportsCountsAgainstFreshness() throws Exception {
    upstream.on("/c/aged", (request, n) -> Reply.of(200, "answer " + n, "Cache-Control", "max-age=60", "Age", "60"));

    get("/c/aged");
    HttpResponse<String> second = get("/c/aged");

    assertThat(second.body()).isEqualTo("answer 2");
    assertThat(upstream.count("/c/aged")).isEqualTo(2);
  }

  @Test
  void aResponseGoesStaleAfterMaxAge() throws Exception {
    upstream.on("/c/short", (request, n) -> Reply.of(200, "answer " + n, "Cache-Control", "max-age=1"));

    assertThat(get("/c/short").body()).isEqualTo("answer 1");
    assertThat(get("/c/short").body()).isEqualTo("answer 1");
    Poll.until("stale after max-age", () -> body("/c/short").equals("answer 2"));
    assertThat(upstream.count("/c/short")).isEqualTo(2);
  }

  @Test
  void whatMustNotBeStoredIsNot() throws Exception {
    upstream.on("/c/private", (request, n) -> Reply.of(200, "p" + n, "Cache-Control", "private, max-age=60"));
    upstream.on("/c/no-store", (request, n) -> Reply.of(200, "s" + n, "Cache-Control", "no-store, max-age=60"));
    upstream.on("/c/nothing", (request, n) -> Reply.of(200, "x" + n));
    upstream.on("/c/vary-star", (request, n) -> Reply.of(200, "v" + n, "Cache-Control", "max-age=60", "Vary", "*"));
    upstream.on("/c/partial", (request, n) -> Reply.of(206, "r" + n, "Cache-Control", "max-age=60", "Content-Range", "bytes 0-1/10"));
    upstream.on("/c/pragma", (request, n) -> Reply.of(200, "g" + n, "Pragma", "no-cache", "Expires", "Thu, 01 Jan 2099 00:00:00 GMT"));

    for (String path : new String[] {"/c/private", "/c/no-store", "/c/nothing", "/c/vary-star", "/c/partial", "/c/pragma"}) {
      get(path);
      HttpResponse<String> again = get(path);
      assertThat(upstream.count(path)).as(path).isEqualTo(2);
      assertThat(again.headers().firstValue("cache-status")).as(path).hasValueSatisfying(s -> assertThat(s).doesNotContain("stored"));
    }
  }

  @Test
  void aRequestThatSaysNoStoreIsNotStored() throws Exception {
    upstream.on("/c/asked", (request, n) -> Reply.of(200, "a" + n, "Cache-Control", "max-age=60"));

    get("/c/asked", "Cache-Control", "no-store");
    get("/c/asked");

    assertThat(upstream.count("/c/asked")).isEqualTo(2);
  }

  @Test
  void expiresGivesFreshnessAndDefaultTtlOnlyAppliesWhereConfigured() throws Exception {
    upstream.on("/c/expires", (request, n) -> Reply.of(200, "e" + n, "Expires", "Thu, 01 Jan 2099 00:00:00 GMT"));
    upstream.on("/c/invalid-expires", (request, n) -> Reply.of(200, "i" + n, "Expires", "0"));
    upstream.on("/ttl/plain", (request, n) -> Reply.of(200, "t" + n));

    get("/c/expires");
    assertThat(get("/c/expires").body()).isEqualTo("e1");
    get("/c/invalid-expires");
    assertThat(get("/c/invalid-expires").body()).isEqualTo("i2");
    get("/ttl/plain");
    assertThat(get("/ttl/plain").body()).isEqualTo("t1");
  }

  @Test
  void aRequestWithAuthorizationIsStoredOnlyWhenTheResponseSaysItMayBe() throws Exception {
    upstream.on("/c/mine", (request, n) -> Reply.of(200, "mine " + n, "Cache-Control", "max-age=60"));
    upstream.on("/c/shared", (request, n) -> Reply.of(200, "shared " + n, "Cache-Control", "public, max-age=60"));

    assertThat(get("/c/mine", "Authorization", "Bearer alice").body()).isEqualTo("mine 1");
    assertThat(get("/c/mine", "Authorization", "Bearer bob").body()).isEqualTo("mine 2");
    assertThat(get("/c/mine").body()).isEqualTo("mine 3");

    assertThat(get("/c/shared", "Authorization", "Bearer alice").body()).isEqualTo("shared 1");
    assertThat(get("/c/shared", "Authorization", "Bearer bob").body()).isEqualTo("shared 1");
  }

  @Test
  void aRequestAnAuthenticationPluginLetThroughCountsAsAuthenticatedEvenWithoutItsHeader() throws Exception {
    upstream.on("/k/mine", (request, n) -> Reply.of(200, "mine " + n, "Cache-Control", "max-age=60"));
    upstream.on("/k/shared", (request, n) -> Reply.of(200, "shared " + n, "Cache-Control", "public, max-age=60"));

    assertThat(get("/k/mine", "x-api-key", "alice-key").body()).isEqualTo("mine 1");
    assertThat(upstream.lastRequest().containsKey("x-api-key")).as("the plugin removed the key").isFalse();
    assertThat(get("/k/mine", "x-api-key", "bob-key").body()).isEqualTo("mine 2");
    assertThat(get("/k/shared", "x-api-key", "alice-key").body()).isEqualTo("shared 1");
    assertThat(get("/k/shared", "x-api-key", "bob-key").body()).isEqualTo("shared 1");
    assertThat(get("/k/shared").statusCode()).as("no key: refused before the cache").isEqualTo(401);
  }

  @Test
  void setCookieIsNeverReplayed() throws Exception {
    upstream.on("/c/cookie", (request, n) -> Reply.of(200, "c" + n, "Cache-Control", "max-age=60", "Set-Cookie", "session=alice"));
    upstream.on("/c/public-cookie", (request, n) -> Reply.of(200, "p" + n, "Cache-Control", "public, max-age=60",
        "Set-Cookie", "session=alice"));

    assertThat(get("/c/cookie").headers().firstValue("set-cookie")).contains("session=alice");
    HttpResponse<String> again = get("/c/cookie");
    assertThat(again.body()).isEqualTo("c2");

    assertThat(get("/c/public-cookie").headers().firstValue("set-cookie")).contains("session=alice");
    HttpResponse<String> hit = get("/c/public-cookie");
    assertThat(hit.body()).isEqualTo("p1");
    assertThat(hit.headers().firstValue("set-cookie")).isEmpty();
  }

  @Test
  void varyKeepsOneVariantPerRequestHeaderValue() throws Exception {
    upstream.on("/c/vary", (request, n) -> Reply.of(200, request.getRequestHeaders().getFirst("Accept-Language") + " " + n,
        "Cache-Control", "max-age=60", "Vary", "Accept-Language"));

    assertThat(get("/c/vary", "Accept-Language", "en").body()).isEqualTo("en 1");
    assertThat(get("/c/vary", "Accept-Language", "de").body()).isEqualTo("de 2");
    HttpResponse<String> en = get("/c/vary", "Accept-Language", "en");
    assertThat(en.body()).isEqualTo("en 1");
    assertThat(get("/c/vary", "Accept-Language", "de").body()).isEqualTo("de 2");
    assertThat(get("/c/vary", "Accept-Language", "fr").headers().firstValue("cache-status"))
        .hasValueSatisfying(s -> assertThat(s).contains("fwd=vary-miss"));
    assertThat(upstream.count("/c/vary")).isEqualTo(3);
  }

  @Test
  void theKeyHasTheConfiguredQueryAndHeaders() throws Exception {
    upstream.on("/c/q", (request, n) -> Reply.of(200, request.getRequestURI().getRawQuery() + " "
        + request.getRequestHeaders().getFirst("X-Tenant") + " " + n, "Cache-Control", "max-age=60"));

    assertThat(get("/c/q?b=2&a=1&utm=x", "X-Tenant", "t1").body()).isEqualTo("b=2&a=1&utm=x t1 1");
    assertThat(get("/c/q?a=1&b=2&utm=y", "X-Tenant", "t1").body()).as("same key: order and utm do not count")
        .isEqualTo("b=2&a=1&utm=x t1 1");
    assertThat(get("/c/q?a=1&b=2", "X-Tenant", "t2").body()).as("another tenant").isEqualTo("a=1&b=2 t2 2");
    assertThat(get("/c/q?a=1&b=3", "X-Tenant", "t1").body()).as("another query").isEqualTo("a=1&b=3 t1 3");
  }

  @Test
  void anUnkeyedHeaderCannotPoisonTheStoredResponse() throws Exception {
    AtomicReference<String> seenHost = new AtomicReference<>();
    upstream.on("/c/page", (request, n) -> {
      String forwardedHost = request.getRequestHeaders().getFirst("X-Forwarded-Host");
      String override = request.getRequestHeaders().getFirst("X-Original-URL");
      seenHost.set(forwardedHost);
      return Reply.of(200, "<script src=//" + forwardedHost + "/app.js> " + override, "Cache-Control", "max-age=60");
    });

    HttpResponse<String> attack = get("/c/page", "X-Forwarded-Host", "evil.example", "X-Original-URL", "/admin");
    HttpResponse<String> victim = get("/c/page");

    assertThat(attack.body()).doesNotContain("evil.example").doesNotContain("/admin");
    assertThat(victim.body()).isEqualTo(attack.body()).doesNotContain("evil.example");
    assertThat(seenHost.get()).doesNotContain("evil");
  }

  @Test
  void aResponseLargerThanMaxObjectBytesIsStreamedThroughAndNotStored() throws Exception {
    String big = "x".repeat(70 * 1024);
    upstream.on("/c/big", (request, n) -> Reply.of(200, big, "Cache-Control", "max-age=60"));

    assertThat(get("/c/big").body()).hasSize(big.length());
    assertThat(get("/c/big").body()).hasSize(big.length());

    assertThat(upstream.count("/c/big")).isEqualTo(2);
  }

  @Test
  void theByteBoundEvictsOlderEntries() throws Exception {
    String body = "y".repeat(60 * 1024);
    upstream.on("/c/many", (request, n) -> Reply.of(200, body, "Cache-Control", "max-age=600"));

    for (int i = 0; i < 40; i++) { // 40 x 60KiB into 1MiB
      get("/c/many?i=" + i);
    }
    int reached = upstream.count("/c/many");
    for (int i = 0; i < 40; i++) {
      get("/c/many?i=" + i);
    }

    assertThat(reached).isEqualTo(40);
    assertThat(upstream.count("/c/many")).as("some were evicted").isGreaterThan(40 + 20);
  }
}
