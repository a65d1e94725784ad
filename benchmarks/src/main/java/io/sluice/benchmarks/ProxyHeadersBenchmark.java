package io.sluice.benchmarks;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.AsciiString;
import io.sluice.config.HeaderOps;
import io.sluice.config.ListenerConfig;
import io.sluice.proxy.ClientHeaders;
import io.sluice.proxy.ConnectionInfo;
import io.sluice.proxy.ProxyHeaders;
import io.sluice.proxy.RequestHead;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The header work of every proxied request: the rules applied to what the client sent before
 * routing and plugins ({@link ClientHeaders}), the fields sent upstream (hop-by-hop removed,
 * forwarding headers, Via, request id) and the fields sent back to the client. Inputs are
 * decoded by Netty's own decoders, so names and values have the types they have in the gateway.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProxyHeadersBenchmark {

  private static final String BROWSER_REQUEST = """
      GET /api/v1/users/42 HTTP/1.1\r
      Host: api.example.com\r
      User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r
      Accept: application/json, text/plain, */*\r
      Accept-Language: en-US,en;q=0.5\r
      Accept-Encoding: gzip, deflate, br\r
      Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl\r
      Connection: keep-alive\r
      Cookie: session=abc123; theme=dark\r
      \r
      """;
  private static final String WRK_REQUEST = "GET /small HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
  private static final String NGINX_RESPONSE = """
      HTTP/1.1 200 OK\r
      Server: nginx/1.22.1\r
      Date: Mon, 23 Nov 2026 17:03:06 GMT\r
      Content-Type: application/json\r
      Content-Length: 13\r
      Last-Modified: Mon, 23 Nov 2026 17:03:00 GMT\r
      Connection: keep-alive\r
      ETag: "6b0471c4-d"\r
      Accept-Ranges: bytes\r
      \r
      """;

  private final ConnectionInfo client = new ConnectionInfo("10.1.2.3", false, "http", 8080);
  private final String requestId = "01M84NRZN200XW7PZBJJ2ZF0E2";
  /** What a config with jwt forwarding two claims strips from every request. */
  private final List<AsciiString> stripped = List.of(AsciiString.cached("x-user-id"), AsciiString.cached("x-tenant"));
  /** A route's response rules as operators write them (docs/configuration.md). */
  private final HeaderOps responseRules = new HeaderOps(List.of("Server", "X-Powered-By"),
      Map.of("Strict-Transport-Security", "max-age=63072000", "X-Content-Type-Options", "nosniff"),
      Map.of("Cache-Control", "no-transform"));
  private RequestHead browser;
  private RequestHead wrk;
  private HttpHeaders nginxResponse;

  @Setup
  public void decode() {
    browser = head(decode(new HttpRequestDecoder(), BROWSER_REQUEST));
    wrk = head(decode(new HttpRequestDecoder(), WRK_REQUEST));
    nginxResponse = ((HttpResponse) decode(new HttpResponseDecoder(), NGINX_RESPONSE)).headers();
  }

  /** The client rules on a request with nothing to remove: one pass over the fields. */
  @Benchmark
  public Object clientHeadersWrkRequest() {
    return ClientHeaders.screen(wrk.headers(), ListenerConfig.UnderscoreHeaders.DROP, 8192, stripped, false);
  }

  /** The client rules on a fresh copy of the browser request, whose Connection: keep-alive is removed. */
  @Benchmark
  public HttpHeaders clientHeadersBrowserRequest() {
    HttpHeaders headers = browser.headers().copy();
    ClientHeaders.screen(headers, ListenerConfig.UnderscoreHeaders.DROP, 8192, stripped, false);
    return headers;
  }

  /** The copy alone, to subtract from {@link #clientHeadersBrowserRequest}. */
  @Benchmark
  public HttpHeaders copyBrowserRequestHeaders() {
    return browser.headers().copy();
  }

  @Benchmark
  public HttpHeaders forUpstreamBrowserRequest() {
    return ProxyHeaders.forUpstream(browser, client, requestId, HeaderOps.NONE);
  }

  @Benchmark
  public HttpHeaders forUpstreamWrkRequest() {
    return ProxyHeaders.forUpstream(wrk, client, requestId, HeaderOps.NONE);
  }

  /** On a fresh copy: the rules change the upstream response's map in place. */
  @Benchmark
  public HttpHeaders forClientNginxResponse() {
    return ProxyHeaders.forClient(nginxResponse.copy(), requestId, HeaderOps.NONE);
  }

  /** The same with a route's response rules: two fields removed, two set, one added. */
  @Benchmark
  public HttpHeaders forClientNginxResponseWithRules() {
    return ProxyHeaders.forClient(nginxResponse.copy(), requestId, responseRules);
  }

  /** The copy alone, to subtract from {@link #forClientNginxResponse}. */
  @Benchmark
  public HttpHeaders copyNginxResponseHeaders() {
    return nginxResponse.copy();
  }

  private static HttpMessage decode(HttpObjectDecoder decoder, String text) {
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    HttpMessage message = channel.readInbound();
    channel.finishAndReleaseAll();
    return message;
  }

  private static RequestHead head(HttpMessage message) {
    HttpRequest request = (HttpRequest) message;
    String authority = request.headers().get("host");
    String host = authority.contains(":") ? authority.substring(0, authority.indexOf(':')) : authority;
    return new RequestHead(request.method(), "http", authority, host, request.uri(), null, request.headers(), false, -1);
  }
}
