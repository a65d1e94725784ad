package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.sluice.config.ListenerConfig;
import io.sluice.eventloop.LazyTimer;
import io.sluice.proxy.ClientStream;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;

/**
 * One HTTP/1.1 client connection, the {@link ClientStream} of the exchange in progress: the
 * {@link ExchangeDriver} reads requests one at a time (pipelined ones wait their turn), this
 * class frames responses, decides keep-alive and owns the connection's timers: the request-header
 * deadline, the keep-alive idle timeout and (through the driver) the write timeout for clients
 * that stop reading.
 */
final class Http1Connection extends ClientProtocolHandler {

  private final ServerState server;
  /** The listener's TLS, or {@code null} on a plain-text listener. */
  private final TlsContexts tls;

  private boolean closeAfterResponse;
  private boolean requestKeepAlive;
  private boolean headRequest;
  private HttpVersion requestVersion = HttpVersion.HTTP_1_1;
  private boolean awaitingFirstByte = true;
  /** Whether a response went out and the connection was kept alive for another request. */
  private boolean keptAlive;
  /**
   * The request-header deadline, or between requests the keep-alive idle timeout: one at a time,
   * armed and cleared per request, so one lazily re-scheduled timer serves both.
   */
  private LazyTimer requestTimer;
  private boolean awaitingHeader;
  private final Runnable headerTimeout = this::onHeaderTimeout;
  private final Runnable idleTimeout = () -> ctx.close();

  Http1Connection(ServerState server, TlsContexts tls, ListenerConfig.UnderscoreHeaders underscores, String listener) {
    super(server, tls, underscores, listener);
    this.server = server;
    this.tls = tls;
  }

  // ---- connection lifecycle ----

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (context.channel().isActive()) {
      start(context); // added once ALPN or the preface decided the protocol: the channel is already active
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    if (!driver.inExchange()) {
      // the connection upgraded to HTTP/2 (h2c): its timers are no longer ours
      cancelTimers();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    start(context);
    context.fireChannelActive();
  }

  private void start(ChannelHandlerContext context) {
    if (!driver.start(context.channel())) {
      return;
    }
    server.clientConnections().add(context.channel());
    // A connection that never sends a complete request head is cut like a slow one.
    armHeaderTimer();
  }

  /** Called by {@link RequestStartDetector} for every read before decoding. */
  void onBytes() {
    if (awaitingFirstByte) {
      awaitingFirstByte = false;
      if (!awaitingHeader) {
        armHeaderTimer();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    cancelTimers();
    driver.clientClosed();
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    driver.failed(cause);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event == GatewayServer.DRAIN) {
      // Only a kept-alive connection with no byte of a next request is closed: its client knows
      // such a connection may close at any time. A new connection's client has its first request
      // on the way and no reason to expect a close; that request is served with Connection: close.
      if (!driver.inExchange() && keptAlive && awaitingFirstByte) {
        context.close();
      }
      return;
    }
    if (event instanceof SslHandshakeCompletionEvent handshake && tls != null) {
      if (handshake.isSuccess()) {
        SslHandler ssl = context.pipeline().get(SslHandler.class);
        if (ssl != null) {
          driver.clientCertificateFrom(ssl);
        }
      } else {
        tls.handshakeFailed(driver.info().peerIp(), handshake.cause());
      }
    }
    context.fireUserEventTriggered(event);
  }

  // ---- ClientProtocol ----

  @Override
  public void requestArrived(HttpRequest request) {
    awaitingFirstByte = false; // a held (pipelined) request arrived long ago
    awaitingHeader = false;
    if (requestTimer != null) {
      requestTimer.disarm();
    }
    closeAfterResponse = false;
    HttpVersion version = request.protocolVersion();
    // a version the request rules refuse is answered, and the answer is HTTP/1.1
    requestVersion = version.majorVersion() == 1 && version.minorVersion() <= 1 ? version : HttpVersion.HTTP_1_1;
    headRequest = HttpMethod.HEAD.equals(request.method());
    requestKeepAlive = HttpUtil.isKeepAlive(request);
  }

  @Override
  public String protocolName(HttpVersion version) {
    return version.text();
  }

  @Override
  public boolean joinsCookies() {
    return false;
  }

  @Override
  public void prepareAnswer(HttpHeaders headers, boolean keepConnection) {
    if (!keepConnection) {
      closeAfterResponse = true;
    }
    prepareConnectionHeader(headers);
  }

  @Override
  public void writeAnswer(FullHttpResponse response) {
    ctx.writeAndFlush(response);
  }

  private void prepareConnectionHeader(HttpHeaders headers) {
    if (!requestKeepAlive || server.stopsKeepAlive()) {
      closeAfterResponse = true;
    }
    if (closeAfterResponse) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (requestVersion.minorVersion() == 0) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  @Override
  public boolean acceptsUpgrade() {
    return true;
  }

  /**
   * The 101 is encoded by the HTTP codec as it is written; then the codec, the request-start
   * detector, the h2c gate if still there and this handler leave the pipeline. The client sends no
   * byte of the new protocol before it has the 101, so the codec holds none.
   */
  @Override
  public void upgrade(FullHttpResponse switching, ChannelHandler... handlers) {
    cancelTimers();
    ChannelPipeline pipeline = ctx.pipeline();
    ctx.writeAndFlush(switching);
    for (String name : new String[] {"request-start", "h2c-upgrade", "codec"}) {
      if (pipeline.get(name) != null) {
        pipeline.remove(name);
      }
    }
    String before = ctx.name();
    for (int i = 0; i < handlers.length; i++) {
      pipeline.addBefore(before, "websocket-" + i, handlers[i]);
    }
    pipeline.remove(this);
  }

  // ---- ClientStream ----

  @Override
  public void writeHead(HttpResponseStatus status, HttpHeaders headers) {
    boolean noBody = headRequest || status.codeClass() == HttpStatusClass.INFORMATIONAL
        || status.code() == 204 || status.code() == 304;
    if (!noBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (requestVersion.minorVersion() >= 1) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeAfterResponse = true; // HTTP/1.0 without a length: the body ends when the connection does
      }
    }
    prepareConnectionHeader(headers);
    ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers), ctx.voidPromise());
  }

  @Override
  public void writeBody(ByteBuf content) {
    ctx.write(new DefaultHttpContent(content), ctx.voidPromise());
  }

  @Override
  public void writeEnd(HttpHeaders trailers) {
    LastHttpContent last = trailers.isEmpty()
        ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
    ctx.write(last, ctx.voidPromise());
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public void writeError(GatewayError error, String requestId, boolean requestFullyRead) {
    ctx.writeAndFlush(driver.errorAnswer(error, requestId, requestFullyRead && driver.requestComplete()));
  }

  /** Ends the connection, so the client sees the response as incomplete. */
  @Override
  public void abort() {
    driver.markClosing();
    ctx.close();
  }

  @Override
  public void exchangeDone(boolean requestFullyRead) {
    driver.exchangeEnded();
    if (!requestFullyRead || !driver.requestComplete() || closeAfterResponse || server.stopsKeepAlive()) {
      driver.markClosing();
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    awaitingFirstByte = true;
    keptAlive = true;
    requestTimer.arm(driver.limits().keepAliveTimeout().toNanos(), idleTimeout);
    driver.nextRequest();
  }

  // ---- timers ----

  private void onHeaderTimeout() {
    awaitingHeader = false;
    if (driver.inExchange() || driver.isClosing()) {
      return;
    }
    if (awaitingFirstByte) {
      ctx.close();
      return;
    }
    closeAfterResponse = true;
    driver.refuseIncompleteHead(GatewayError.of(ErrorCode.REQUEST_TIMEOUT,
        "Request header was not received within " + driver.limits().requestHeaderTimeout().toMillis() + "ms"),
        "HTTP/1.1");
  }

  private void armHeaderTimer() {
    if (requestTimer == null) {
      requestTimer = new LazyTimer(ctx.executor());
    }
    awaitingHeader = true;
    requestTimer.arm(driver.limits().requestHeaderTimeout().toNanos(), headerTimeout);
  }

  private void cancelTimers() {
    if (requestTimer != null) {
      requestTimer.cancel();
    }
    driver.cancelWriteTimer();
  }
}
