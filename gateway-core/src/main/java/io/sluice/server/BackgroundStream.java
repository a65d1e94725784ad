package io.sluice.server;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.metrics.RequestMetrics;
import io.sluice.proxy.ClientStream;
import io.sluice.spi.GatewayError;

/**
 * The client side of a request a plugin sends upstream in the background after its client got an
 * answer ({@code Decision.respondAndForward}): nobody listens, so what is written is dropped
 * (buffers released), and nothing of it concerns the client connection.
 */
final class BackgroundStream implements ClientStream {

  /** Request metrics that go nowhere: a background request is not one a client made. */
  static final RequestMetrics NO_METRICS = new RequestMetrics(new CompositeMeterRegistry());

  private final Channel channel;

  /** {@code channel}: whose event loop runs the request and whose allocator it uses. */
  BackgroundStream(Channel channel) {
    this.channel = channel;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public void writeHead(HttpResponseStatus status, HttpHeaders headers) {}

  @Override
  public void writeBody(ByteBuf content) {
    content.release();
  }

  @Override
  public void writeEnd(HttpHeaders trailers) {}

  @Override
  public void flush() {}

  @Override
  public void writeError(GatewayError error, String requestId, boolean requestComplete) {}

  @Override
  public void abort() {}

  @Override
  public boolean inReadBurst() {
    return false;
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public void setReading(boolean reading) {}

  @Override
  public void exchangeDone(boolean requestComplete) {}
}
