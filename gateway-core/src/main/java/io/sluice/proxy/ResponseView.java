package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.Headers;
import io.sluice.spi.Response;
import java.nio.charset.StandardCharsets;

/**
 * A response head as plugins see it in {@code onResponse}. A plugin may replace it
 * ({@link #replaceWith}): the view then holds the replacement's status, headers (in the same
 * {@link HttpHeaders}, which the caller writes) and body, which the caller sends instead.
 */
public final class ResponseView implements Response {

  private int status;
  private final HttpHeaders nettyHeaders;
  private final boolean fromGateway;
  /** The replacement's body, or {@code null} while not replaced. Not reference counted: wraps the answer's bytes. */
  private ByteBuf replacementBody;

  public ResponseView(int status, HttpHeaders nettyHeaders, boolean fromGateway) {
    this.status = status;
    this.nettyHeaders = nettyHeaders;
    this.fromGateway = fromGateway;
  }

  @Override
  public int status() {
    return status;
  }

  /** Validated here, applied by whoever sends the head (it reads {@link #status()} after the hooks). */
  @Override
  public void status(int status) {
    if (this.status == 101) {
      throw new UnsupportedOperationException("the status of a protocol switch (101) cannot change");
    }
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("response status " + status + " (expected: a final status, 200 to 599)");
    }
    this.status = status;
  }

  /** Whether a response with this status carries a body (204 and 304 never do). */
  public static boolean mayHaveBody(int status) {
    return status != 204 && status != 304 && status >= 200;
  }

  @Override
  public Headers headers() {
    return new NettyHeaders(nettyHeaders);
  }

  public HttpHeaders nettyHeaders() {
    return nettyHeaders;
  }

  @Override
  public boolean isFromGateway() {
    return fromGateway;
  }

  @Override
  public void replaceWith(DirectResponse answer) {
    if (answer.isStreamed()) {
      throw new IllegalArgumentException("a streamed body cannot replace a response (expected: a body as text or bytes)");
    }
    // the request id and the connection's fate are the gateway's, not the replaced response's
    String requestId = nettyHeaders.get(ProxyHeaders.X_REQUEST_ID);
    String connection = nettyHeaders.get(HttpHeaderNames.CONNECTION);
    nettyHeaders.clear();
    answer.headers().forEach(nettyHeaders::add);
    if (requestId != null) {
      nettyHeaders.set(ProxyHeaders.X_REQUEST_ID, requestId);
    }
    if (connection != null) {
      nettyHeaders.set(HttpHeaderNames.CONNECTION, connection);
    }
    status = answer.status();
    replacementBody = answer.bytes() != null
        ? Unpooled.wrappedBuffer(answer.bytes())
        : Unpooled.wrappedBuffer(answer.body().getBytes(StandardCharsets.UTF_8));
    if (status != 204 && status != 304) {
      nettyHeaders.set(HttpHeaderNames.CONTENT_LENGTH, replacementBody.readableBytes());
    } else {
      nettyHeaders.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
  }

  /** Whether a plugin replaced the response. */
  public boolean isReplaced() {
    return replacementBody != null;
  }

  /** The replacement's body (a buffer over the answer's bytes, nothing to release), or {@code null}. */
  public ByteBuf replacementBody() {
    return replacementBody;
  }
}
