package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugins.cache.ScriptedUpstream.Reply;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stale entries revalidated upstream, conditional and range requests answered from the store, HEAD, HTTP/2. */
class CacheRevalidationTest extends CachedRoutes {

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
          plugins: [ { cache: {} } ]
      """;
  }

  /** max-age=0 with an ETag: stored, and revalidated on every request. */
  static ScriptedUpstream.Script validated(String etag) {
    return (request, n) -> {
      if (etag.equals(request.getRequestHeaders().getFirst("If-None-Match"))) {
        return Reply.of(304, "", "ETag", etag, "Cache-Control", "max-age=0", "X-Revalidated", String.valueOf(n));
      }
      return Reply.of(200, "body " + n, "ETag", etag, "Cache-Control", "max-age=0", "Content-Type", "text/plain");
    };
  }

  @Test
  void aStaleEntryIsRevalidatedAndA304IsMergedIntoTheStoredResponse() throws Exception {
    upstream.on("/c/v", validated("\"v1\""));

    HttpResponse<String> first = get("/c/v");
    HttpResponse<String> second = get("/c/v");

    assertThat(first.body()).isEqualTo("body 1");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("body 1");
    assertThat(second.headers().firstValue("x-revalidated")).as("the 304's fields are merged").contains("2");
    assertThat(second.headers().firstValue("content-type")).contains("text/plain");
    assertThat(second.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s)
        .startsWith("sluice; fwd=stale; fwd-status=304"));
    assertThat(upstream.lastRequest().getFirst("If-None-Match")).isEqualTo("\"v1\"");
    assertThat(upstream.count("/c/v")).isEqualTo(2);
  }

  @Test
  void aNewRepresentationReplacesTheStaleOne() throws Exception {
    upstream.on("/c/changing", (request, n) -> Reply.of(200, "version " + n, "ETag", "\"e" + n + "\"", "Cache-Control", "max-age=0"));

    get("/c/changing");
    assertThat(get("/c/changing").body()).isEqualTo("version 2");
    get("/c/changing");
    assertThat(upstream.lastRequest().getFirst("If-None-Match")).isEqualTo("\"e2\"");
  }

  @Test
  void lastModifiedIsUsedWhenThereIsNoEtag() throws Exception {
    String modified = "Mon, 07 Dec 2020 10:00:00 GMT";
    upstream.on("/c/lm", (request, n) -> modified.equals(request.getRequestHeaders().getFirst("If-Modified-Since"))
        ? Reply.of(304, "")
        : Reply.of(200, "lm " + n, "Last-Modified", modified, "Cache-Control", "no-cache"));

    get("/c/lm");
    HttpResponse<String> second = get("/c/lm");

    assertThat(second.body()).isEqualTo("lm 1");
    assertThat(upstream.count("/c/lm")).isEqualTo(2);
  }

  @Test
  void aClientsConditionalRequestIsAnswered304FromTheStore() throws Exception {
    upstream.on("/c/cond", (request, n) -> Reply.of(200, "cond " + n, "ETag", "W/\"c1\"", "Cache-Control", "max-age=60",
        "Last-Modified", "Mon, 07 Dec 2020 10:00:00 GMT"));
    get("/c/cond");

    HttpResponse<String> matching = get("/c/cond", "If-None-Match", "\"x\", \"c1\"");
    HttpResponse<String> other = get("/c/cond", "If-None-Match", "\"x\"");
    HttpResponse<String> since = get("/c/cond", "If-Modified-Since", "Tue, 08 Dec 2020 10:00:00 GMT");

    assertThat(matching.statusCode()).isEqualTo(304);
    assertThat(matching.body()).isEmpty();
    assertThat(matching.headers().firstValue("etag")).contains("W/\"c1\"");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("cond 1");
    assertThat(since.statusCode()).isEqualTo(304);
    assertThat(upstream.count("/c/cond")).isEqualTo(1);
  }

  @Test
  void aClientsConditionalRequestOnAStaleEntryIsJudgedAfterRevalidation() throws Exception {
    upstream.on("/c/both", validated("\"b1\""));
    get("/c/both");

    HttpResponse<String> matching = get("/c/both", "If-None-Match", "\"b1\"");
    HttpResponse<String> other = get("/c/both", "If-None-Match", "\"old\"");

    assertThat(matching.statusCode()).isEqualTo(304);
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("body 1");
    assertThat(upstream.count("/c/both")).isEqualTo(3);
  }

  @Test
  void headIsServedFromAStoredGet() throws Exception {
    upstream.on("/c/h", (request, n) -> Reply.of(200, "twelve bytes", "Cache-Control", "max-age=60"));
    get("/c/h");

    HttpResponse<String> head = gateway.send("HEAD", "/c/h");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("content-length")).contains("12");
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s).startsWith("sluice; hit"));
    assertThat(upstream.count("/c/h")).isEqualTo(1);
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response overH2 = h2.request("HEAD", "/c/h", authority(), null);
      assertThat(overH2.status()).isEqualTo(200);
      assertThat(overH2.headers().get("content-length")).hasToString("12");
      assertThat(overH2.body()).isEmpty();
    }
    assertThat(upstream.count("/c/h")).isEqualTo(1);
  }

  @Test
  void rangeRequestsAreServedFromACompleteStoredResponse() throws Exception {
    upstream.on("/c/r", (request, n) -> Reply.of(200, "0123456789", "Cache-Control", "max-age=60", "ETag", "\"r1\""));
    get("/c/r");

    HttpResponse<String> middle = get("/c/r", "Range", "bytes=2-5");
    HttpResponse<String> suffix = get("/c/r", "Range", "bytes=-3");
    HttpResponse<String> beyond = get("/c/r", "Range", "bytes=20-");
    HttpResponse<String> several = get("/c/r", "Range", "bytes=0-1,4-5");
    HttpResponse<String> changed = get("/c/r", "Range", "bytes=2-5", "If-Range", "\"r0\"");

    assertThat(middle.statusCode()).isEqualTo(206);
    assertThat(middle.body()).isEqualTo("2345");
    assertThat(middle.headers().firstValue("content-range")).contains("bytes 2-5/10");
    assertThat(suffix.body()).isEqualTo("789");
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(beyond.headers().firstValue("content-range")).contains("bytes */10");
    assertThat(several.statusCode()).isEqualTo(200);
    assertThat(several.body()).isEqualTo("0123456789");
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(upstream.count("/c/r")).isEqualTo(1);
  }

  /** The host the HTTP/1.1 client names, so that both clients ask for the same target. */
  Map<String, String> authority() {
    return Map.of(":authority", "127.0.0.1:" + gateway.port());
  }

  @Test
  void http2AndHttp1ClientsShareEntries() throws Exception {
    upstream.on("/c/shared", (request, n) -> Reply.of(200, "shared " + n, "Cache-Control", "max-age=60"));

    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Response first = h2.request("GET", "/c/shared", authority(), null);
      assertThat(first.bodyText()).isEqualTo("shared 1");
      assertThat(get("/c/shared").body()).isEqualTo("shared 1");
      get("/c/other");
      upstream.on("/c/other", (request, n) -> Reply.of(200, "other " + n, "Cache-Control", "max-age=60"));
      assertThat(get("/c/other").body()).isEqualTo("other 2");
      H2Client.Response hit = h2.request("GET", "/c/other", authority(), null);
      assertThat(hit.bodyText()).isEqualTo("other 2");
      assertThat(hit.headers().get("cache-status").toString()).startsWith("sluice; hit");
    }
    assertThat(upstream.count("/c/shared")).isEqualTo(1);
  }

  @Test
  void staleIfErrorServesTheStaleResponseWhenTheUpstreamFails() throws Exception {
    upstream.on("/c/sie", (request, n) -> n == 1
        ? Reply.of(200, "good", "Cache-Control", "max-age=0, stale-if-error=60", "ETag", "\"g\"")
        : Reply.of(503, "down"));
    upstream.on("/c/strict", (request, n) -> n == 1
        ? Reply.of(200, "good", "Cache-Control", "max-age=0, must-revalidate, stale-if-error=60", "ETag", "\"g\"")
        : Reply.of(503, "down"));
    get("/c/sie");
    get("/c/strict");

    HttpResponse<String> served = get("/c/sie");
    HttpResponse<String> refused = get("/c/strict");

    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo("good");
    assertThat(served.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s)
        .contains("fwd-status=503").contains("stale-if-error"));
    assertThat(refused.statusCode()).as("must-revalidate forbids serving it stale").isEqualTo(503);
  }

  @Test
  void staleIfErrorServesTheStaleResponseWhenTheUpstreamIsDown() throws Exception {
    ScriptedUpstream first = new ScriptedUpstream();
    first.on("/c/down", (request, n) -> Reply.of(200, "kept", "Cache-Control", "max-age=0, stale-if-error=60", "ETag", "\"k\""));
    String config = """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ], timeouts: { connect: 1s } }
        routes:
          - { id: cached, match: { path: /c/** }, upstream: backend, plugins: [ { cache: {} } ] }
        """;
    try (Gateway down = Gateway.start(config, Map.of("UPSTREAM", String.valueOf(first.port())))) {
      assertThat(down.send("GET", "/c/down").body()).isEqualTo("kept");
      first.close();

      HttpResponse<String> served = down.send("GET", "/c/down");

      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.body()).isEqualTo("kept");
      assertThat(served.headers().firstValue("cache-status")).hasValueSatisfying(s -> assertThat(s).contains("stale-if-error"));
    } finally {
      first.close();
    }
  }
}
