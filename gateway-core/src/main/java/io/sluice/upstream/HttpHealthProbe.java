package io.sluice.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.config.Endpoint;
import io.sluice.config.HealthCheckConfig;

/** {@code GET path} with the endpoint as Host; passes with one of the expected statuses. */
final class HttpHealthProbe implements HealthProbe {

  private final HealthCheckConfig config;
  private final String expected; // as the log shows it: "200-399, 418"

  HttpHealthProbe(HealthCheckConfig config) {
    this.config = config;
    this.expected = String.join(", ", config.expectedStatuses().stream().map(Object::toString).toList());
  }

  @Override
  public FullHttpRequest newRequest(Endpoint endpoint, ByteBufAllocator alloc) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path(), Unpooled.EMPTY_BUFFER);
    request.headers().set(HttpHeaderNames.HOST, endpoint.authority()).set(HttpHeaderNames.USER_AGENT, USER_AGENT);
    return request;
  }

  @Override
  public int maxBodyBytes() {
    return 0;
  }

  @Override
  public String verdict(HttpResponse head, ByteBuf body, HttpHeaders trailers) {
    int status = head.status().code();
    return config.isExpected(status) ? null : "HTTP status " + status + " (expected: " + expected + ")";
  }
}
