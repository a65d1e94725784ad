package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.proxy.RequestHead;
import io.sluice.proxy.ResponseView;
import io.sluice.routing.PathParams;
import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.Plugin;
import io.sluice.testing.MemoryHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rules on their own: directives, preconditions, ranges, and the store's bound and expiry on a fake clock. */
class CacheRulesTest {

  static StoredResponse entry(String body, long lifetime, CacheControl control, String... headers) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      fields.put(headers[i], headers[i + 1]);
    }
    return new StoredResponse(200, fields, body.getBytes(StandardCharsets.UTF_8), 0, 0, lifetime, control,
        Keys.NO_VALUES, Keys.NO_VALUES, Keys.NO_VALUES);
  }

  @Test
  void directivesAreReadAsASharedCacheMust() {
    CacheControl cc = CacheControl.parse(List.of("public, max-age=60", "S-MAXAGE=\"30\", stale-while-revalidate=5, x-ext=1",
        "no-cache=\"set-cookie, x\""));

    assertThat(cc.isPublic).isTrue();
    assertThat(cc.maxAge).isEqualTo(60);
    assertThat(cc.sMaxAge).isEqualTo(30);
    assertThat(cc.staleWhileRevalidate).isEqualTo(5);
    assertThat(cc.noCache).as("qualified no-cache counts as unqualified").isTrue();
    assertThat(cc.forbidsStale()).as("s-maxage forbids serving stale").isTrue();
    assertThat(CacheControl.parse(List.of("max-age=60, max-age=120")).maxAge).as("a duplicate: stale").isZero();
    assertThat(CacheControl.parse(List.of("max-age=abc")).maxAge).isZero();
    assertThat(CacheControl.parse(List.of("max-age=99999999999")).maxAge).isEqualTo(Integer.MAX_VALUE);
    assertThat(CacheControl.parse(List.of("max-stale")).maxStale).isEqualTo(Long.MAX_VALUE);
    assertThat(CacheControl.parse(List.of())).isSameAs(CacheControl.NONE);
  }

  @Test
  void preconditionsAreJudgedAgainstTheStoredResponse() {
    StoredResponse tagged = entry("x", 60, CacheControl.NONE, "etag", "\"a\"", "last-modified", "Mon, 07 Dec 2020 10:00:00 GMT");

    assertThat(Conditionals.notModified("W/\"a\"", null, tagged)).as("weak comparison").isTrue();
    assertThat(Conditionals.notModified("\"b\"", "Tue, 08 Dec 2020 10:00:00 GMT", tagged))
        .as("If-None-Match decides when present").isFalse();
    assertThat(Conditionals.notModified(null, "Tue, 08 Dec 2020 10:00:00 GMT", tagged)).isTrue();
    assertThat(Conditionals.notModified(null, "Sun, 06 Dec 2020 10:00:00 GMT", tagged)).isFalse();
    assertThat(Conditionals.notModified(null, "not a date", tagged)).isFalse();
    assertThat(Conditionals.ifRangeHolds("\"a\"", tagged)).isTrue();
    assertThat(Conditionals.ifRangeHolds("W/\"a\"", tagged)).as("If-Range compares strongly").isFalse();
    assertThat(Conditionals.ifRangeHolds("Mon, 07 Dec 2020 10:00:00 GMT", tagged)).isTrue();
  }

  @Test
  void oneRangeIsCutFromTheStoredBody() {
    StoredResponse stored = entry("0123456789", 60, CacheControl.NONE);

    DirectResponse open = Ranges.answer("bytes=7-", stored, 0, "s");
    DirectResponse past = Ranges.answer("bytes=5-100", stored, 0, "s");

    assertThat(open.status()).isEqualTo(206);
    assertThat(StandardCharsets.UTF_8.decode(open.bytes()).toString()).isEqualTo("789");
    assertThat(past.headers()).containsEntry("content-range", "bytes 5-9/10");
    assertThat(Ranges.answer("bytes=-0", stored, 0, "s").status()).isEqualTo(416);
    assertThat(Ranges.answer("bytes=5-2", stored, 0, "s")).as("invalid: ignored").isNull();
    assertThat(Ranges.answer("items=0-1", stored, 0, "s")).isNull();
  }

  @Test
  void theKeySortsAndFiltersTheQuery() {
    Keys all = new Keys(new CacheConfig.Key(null, null));
    Keys some = new Keys(new CacheConfig.Key(new CacheConfig.Query(List.of("a"), null), null));

    assertThat(all.target("https", "h", "/p", "b=2&&a=1&a=0")).isEqualTo("https://h/p?a=1&a=0&b=2");
    assertThat(some.target("https", "h", "/p", "b=2&a=1")).isEqualTo("https://h/p?a=1");
    assertThat(some.target("http", "h", "/p", "b=2")).isEqualTo("http://h/p");
  }

  @Test
  void aResponseWithoutDateIsStoredWithTheTimeItArrived() throws Exception {
    PluginRegistry registry = PluginRegistry.builtIn();
    GatewayConfig config = ConfigLoader.parse("""
        server:
          listeners: [ { name: t, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:9" ] }
        routes:
          - { id: c, match: { path: /** }, upstream: backend, plugins: [ { cache: {} } ] }
        """, "t.yaml", name -> null, registry.catalog());
    GatewaySnapshot snapshot = GatewaySnapshot.compile(config, registry,
        new SimpleMeterRegistry());
    Plugin cache = snapshot.plugins().forRoute("c").slots().get(0).plugin();
    ExchangeView first = view();
    cache.onRequest(first);
    HttpHeaders response = new DefaultHttpHeaders()
        .set("cache-control", "max-age=60").set("content-length", "2");
    cache.onResponse(first, new ResponseView(200, response, false));
    cache.onResponseBodyChunk(first, ByteBuffer.wrap(new byte[] {'o', 'k'}), true);
    cache.onComplete(first, null);

    Decision hit = cache.onRequest(view());

    assertThat(hit).isInstanceOf(Decision.Respond.class);
    String date = ((Decision.Respond) hit).response().headers().get("date");
    assertThat(Math.abs(HttpDates.parse(date) - System.currentTimeMillis())).isLessThan(TimeUnit.MINUTES.toMillis(1));
    snapshot.plugins().close();
  }

  private static ExchangeView view() {
    HttpHeaders request = new DefaultHttpHeaders().set("host", "h");
    RequestHead head = new RequestHead(HttpMethod.GET, "http",
        "h", "h", "/x", null, request, false, -1);
    return new ExchangeView(head, "r", "c", PathParams.EMPTY, "127.0.0.1");
  }

  @Test
  void theStoreStaysWithinItsBytesAndDropsWhatCanNoLongerBeServed() {
    AtomicLong now = new AtomicLong();
    ResponseStore store = new ResponseStore(64 * 1024, now::get);
    String body = "z".repeat(10 * 1024);
    for (int i = 0; i < 20; i++) {
      store.put("t" + i, entry(body, 60, CacheControl.NONE));
    }

    assertThat(store.bytes()).isLessThanOrEqualTo(64 * 1024);
    assertThat(store.entries()).isBetween(1L, 6L);

    store.put("short", entry("s", 10, CacheControl.NONE));
    assertThat(store.find("short", Keys.NO_VALUES, MemoryHeaders.of()).entry()).isNotNull();
    now.addAndGet(TimeUnit.SECONDS.toNanos(11));
    assertThat(store.find("short", Keys.NO_VALUES, MemoryHeaders.of()).entry()).as("stale, no validator").isNull();
  }
}
