package io.sluice.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Receives what an upstream connection reads while it serves one request. Called on the
 * connection's event loop. Ownership of every {@link ByteBuf} passes to the listener.
 */
public interface ResponseListener {

  /** The final (non-1xx) response head. */
  void onResponseHead(HttpResponse head);

  /** A piece of the response body; the listener must release it. */
  void onResponseBody(ByteBuf content);

  /** The response is complete; {@code trailers} may be empty. */
  void onResponseEnd(HttpHeaders trailers);

  /** The end of one read burst: a good moment to flush what was written downstream. */
  void onReadComplete();

  /** The connection's writability changed (request-body backpressure). */
  void onWritabilityChanged(boolean writable);

  /**
   * The connection failed before the response completed: reset, closed early, or sent
   * something that is not valid HTTP. The connection is already closed and will not be reused.
   */
  void onFailure(UpstreamFailure failure);
}
