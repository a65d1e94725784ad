package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.sluice.config.ListenerConfig;
import io.sluice.proxy.ClientStream;
import io.sluice.spi.GatewayError;

/**
 * One HTTP/2 stream, the {@link ClientStream} of its one exchange, behind Netty's
 * frame-to-HTTP-object codec on the stream's child channel: no keep-alive or pipelining, the
 * stream ends (or is reset) with the exchange, and connection timers are the
 * {@link Http2Session}'s business.
 */
final class Http2ClientStream extends ClientProtocolHandler {

  /**
   * A response head not written yet. It goes out with the first body bytes or flush; a response
   * that ends right after its head leaves as one HEADERS frame with END_STREAM, which is how a
   * gRPC trailers-only answer (an error) must look.
   */
  private HttpResponse pendingHead;
  /** The write that ends the response; the stream is closed once it is out. */
  private ChannelFuture lastWrite;

  Http2ClientStream(ServerState server, TlsContexts tls, ListenerConfig.UnderscoreHeaders underscores, String listener) {
    super(server, tls, underscores, listener);
  }

  // ---- stream lifecycle ----

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (context.channel().isActive()) {
      // the stream exists because its request head arrived; the connection is the session's
      driver.start(context, context.channel().parent());
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    driver.start(context, context.channel().parent());
    context.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    driver.clientClosed();
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    if (cause instanceof Http2FrameStreamException || cause instanceof Http2Exception) {
      // the codec resets the stream with the error code that names the violation, and counts and logs it
      // (Http2ClientCodec); the stream multiplexer hands the stream's channel the unwrapped Http2Exception
      return;
    }
    driver.failed(cause);
  }

  // ---- ClientProtocol ----

  @Override
  public void requestArrived(HttpRequest request) {
    // what the frame codec adds to carry HTTP/2 pseudo-headers; :authority became Host
    request.headers().remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
    request.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
  }

  @Override
  public String protocolName(HttpVersion version) {
    return "HTTP/2";
  }

  @Override
  public boolean joinsCookies() {
    return true;
  }

  /** HTTP/2 has no connection-specific headers; the stream ends with the exchange. */
  @Override
  public void prepareAnswer(HttpHeaders headers, boolean keepConnection) {}

  @Override
  public void writeAnswer(FullHttpResponse response) {
    lastWrite = ctx.writeAndFlush(response);
  }

  /** RFC 8441 (WebSocket over HTTP/2) is not supported: an HTTP/2 request never upgrades. */
  @Override
  public boolean acceptsUpgrade() {
    return false;
  }

  @Override
  public void upgrade(FullHttpResponse switching, ChannelHandler... handlers) {
    throw new UnsupportedOperationException("an HTTP/2 stream does not upgrade");
  }

  // ---- ClientStream ----

  @Override
  public void writeHead(HttpResponseStatus status, HttpHeaders headers) {
    pendingHead = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers);
  }

  private void writePendingHead() {
    if (pendingHead != null) {
      ctx.write(pendingHead, ctx.voidPromise());
      pendingHead = null;
    }
  }

  @Override
  public void writeBody(ByteBuf content) {
    writePendingHead();
    ctx.write(new DefaultHttpContent(content), ctx.voidPromise());
  }

  @Override
  public void writeEnd(HttpHeaders trailers) {
    if (pendingHead != null && trailers.isEmpty()) {
      lastWrite = ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, pendingHead.status(), Unpooled.EMPTY_BUFFER,
          pendingHead.headers(), EmptyHttpHeaders.INSTANCE));
      pendingHead = null;
      return;
    }
    writePendingHead();
    LastHttpContent last = trailers.isEmpty()
        ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
    lastWrite = ctx.write(last);
  }

  @Override
  public void flush() {
    writePendingHead();
    ctx.flush();
  }

  @Override
  public void writeError(GatewayError error, String requestId, boolean requestFullyRead) {
    lastWrite = ctx.writeAndFlush(driver.errorAnswer(error, requestId, requestFullyRead && driver.requestComplete()));
  }

  /** Resets the stream, so the client sees the response as incomplete. */
  @Override
  public void abort() {
    driver.markClosing();
    pendingHead = null;
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
    }
    ctx.close();
  }

  @Override
  public void exchangeDone(boolean requestFullyRead) {
    driver.exchangeEnded();
    // The response ended the stream. If the request body is still coming, closing resets the
    // stream (CANCEL), which tells the client to stop sending it; only once the response is
    // out, because a reset drops what flow control still holds back.
    driver.markClosing();
    ctx.flush();
    if (lastWrite == null || lastWrite.isDone()) {
      ctx.close();
    } else {
      lastWrite.addListener(written -> ctx.close());
    }
  }
}
