package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plugins ({@code Exchange.queryParameter}) and route conditions read a query the same lenient
 * way: a malformed escape from a client is kept as written, never a 500 or a dropped connection.
 */
@ExtendWith(NoLeaksExtension.class)
class QueryParametersTest {

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: by-query, match: { path: /routed, query: { t: "%zz" } }, upstream: backend,
              plugins: [ { test_query: { names: [t] } } ] }
          - { id: other, match: { path: /routed }, upstream: backend }
          - { id: plugin, match: { path: /q }, upstream: backend,
              plugins: [ { test_query: { names: [t, sum, e, s, bytes, missing] } } ] }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @Test
  void aPluginReadsMalformedEscapesAsWrittenAndEverythingElseDecoded() throws Exception {
    RawHttp.Response response = gateway.raw().send("GET /q?t=%zz&sum=1+2&sum=%E2%82%AC&e=&s&bytes=%FF%41%&&t=50%25 HTTP/1.1\r\n"
        + "Host: x\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    HttpHeaders seen = upstream.lastRequest().headers();
    assertThat(seen.get("x-query-t")).isEqualTo("%zz|50%");
    assertThat(seen.get("x-query-sum")).isEqualTo("1 2|\\u20ac");
    assertThat(seen.get("x-query-e")).isEqualTo("(empty)");
    assertThat(seen.get("x-query-s")).isEqualTo("(empty)");
    assertThat(seen.get("x-query-bytes")).as("a byte that is not UTF-8 becomes U+FFFD").isEqualTo("\\ufffdA%");
    assertThat(seen.get("x-query-missing")).isEqualTo("(absent)");
    assertThat(upstream.lastRequest().uri()).as("the query goes upstream as the client wrote it")
        .isEqualTo("/q?t=%zz&sum=1+2&sum=%E2%82%AC&e=&s&bytes=%FF%41%&&t=50%25");
  }

  @Test
  void aRouteConditionReadsTheQueryTheSameWay() throws Exception {
    RawHttp.Response response = gateway.raw().send("GET /routed?t=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-query-t")).as("routed by its query to by-query").isEqualTo("%zz");
  }
}
