package io.sluice.plugins.cors;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a browser makes of the plugin's answers. A page served from one loopback origin calls the
 * gateway, another loopback origin, with a credentialed {@code PUT} and a custom header, so the
 * browser sends a preflight first. {@code http://127.0.0.1:<page port>} is allowed;
 * {@code http://localhost:<page port>} is the same server under another origin, and is not.
 */
class BrowserCorsTest {

  static TestUpstream upstream;
  static Gateway gateway;
  static HttpServer pages;

  @TempDir
  static Path workDir;

  @BeforeAll
  static void start() throws Exception {
    Chromium.assumeInstalledOrCi();
    upstream = new TestUpstream();
    pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pages.start();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend:
            endpoints: [ "http://127.0.0.1:${UPSTREAM}" ]
        routes:
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins:
              - cors:
                  allow_origins: [ "http://127.0.0.1:${PAGES}" ]
                  allow_methods: [ GET, PUT ]
                  allow_headers: [ x-custom ]
                  expose_headers: [ x-upstream ]
                  allow_credentials: true
        """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "PAGES", String.valueOf(pages.getAddress().getPort())));
    byte[] page = page(gateway.port()).getBytes(StandardCharsets.UTF_8);
    pages.createContext("/", exchange -> {
      exchange.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      try (var body = exchange.getResponseBody()) {
        body.write(page);
      }
    });
  }

  /** A page whose script calls the gateway and writes what happened into #result. */
  static String page(int gatewayPort) {
    return """
        <!doctype html>
        <html><head><title>pending</title></head>
        <body><pre id="result">pending</pre>
        <script>
        fetch("http://localhost:%d/api/x", {credentials: "include", method: "PUT", headers: {"X-Custom": "1"}})
          .then(r => r.text().then(body => "status " + r.status + " body=" + body + " x-upstream=" + r.headers.get("x-upstream")))
          .catch(e => "blocked: " + e)
          .then(text => { document.getElementById("result").textContent = text; document.title = text; });
        </script>
        </body></html>
        """.formatted(gatewayPort);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (pages != null) {
      pages.stop(0);
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  static String result(String dom) {
    Matcher matcher = Pattern.compile("<pre id=\"result\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
    assertThat(matcher.find()).as("a #result element in the page:\n%s", dom).isTrue();
    return matcher.group(1);
  }

  static List<HttpRequest> puts() {
    return upstream.requests().stream().filter(r -> r.method().equals(HttpMethod.PUT)).toList();
  }

  @Test
  void anAllowedOriginGetsThroughThePreflightAndReadsTheAnswer() throws Exception {
    int putsBefore = puts().size();

    String dom = Chromium.dumpDom(URI.create("http://127.0.0.1:" + pages.getAddress().getPort() + "/"), workDir);

    assertThat(result(dom)).isEqualTo("status 200 body=PUT /api/x x-upstream=test");
    assertThat(puts()).hasSize(putsBefore + 1);
    assertThat(puts().get(putsBefore).headers().get("x-custom")).isEqualTo("1");
    assertThat(upstream.requests()).noneMatch(r -> r.method().equals(HttpMethod.OPTIONS));
  }

  @Test
  void anotherOriginIsBlockedByTheBrowserBeforeTheRequestIsSent() throws Exception {
    int requestsBefore = upstream.requests().size();

    String dom = Chromium.dumpDom(URI.create("http://localhost:" + pages.getAddress().getPort() + "/"), workDir);

    assertThat(result(dom)).startsWith("blocked: TypeError");
    assertThat(upstream.requests()).hasSize(requestsBefore);
  }
}
