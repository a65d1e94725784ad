package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.spi.Headers;
import io.sluice.spi.Response;

/** A response head as plugins see it in {@code onResponse}. */
public record ResponseView(int status, HttpHeaders nettyHeaders, boolean isFromGateway) implements Response {

  @Override
  public Headers headers() {
    return new NettyHeaders(nettyHeaders);
  }
}
