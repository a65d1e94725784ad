package io.sluice.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Http2Config;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The connection-level side of an HTTP/2 client connection, after its {@link Http2ClientCodec}: widens
 * the connection's flow-control window (see {@link Http2Config#connectionWindowBytes}), counts open
 * streams, closes the connection after the keep-alive timeout without any, and on graceful drain sends
 * GOAWAY and closes once the streams in flight have finished. Streams themselves are served by their
 * {@link Http2ClientStream}s.
 */
final class Http2Session extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(Http2Session.class.getName());

  private final ServerState server;
  private Http2ClientCodec codec;
  private ChannelHandlerContext ctx;
  private int openStreams;
  private boolean goingAway;
  private ScheduledFuture<?> idleTimer;

  Http2Session(ServerState server) {
    this.server = server;
  }

  /** The codec whose connection this session watches; set before the session is added. */
  void serves(Http2ClientCodec http2) {
    this.codec = http2;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (context.channel().isActive()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    start();
    context.fireChannelActive();
  }

  private void start() {
    if (idleTimer != null) {
      return;
    }
    server.clientConnections().add(ctx.channel());
    Http2Config http2 = server.snapshot().config().server().http2();
    int widening = http2.connectionWindowBytes() - http2.initialWindowBytes();
    if (widening > 0) {
      codec.widenConnectionWindow(widening);
    }
    armIdleTimer();
    if (server.isDraining()) {
      goAway();
    }
  }

  /** A stream opened. */
  void streamOpened() {
    openStreams++;
    server.connectionMetrics().http2StreamOpened();
    cancelIdleTimer();
    if (server.stopsKeepAlive() && !server.isDraining()) {
      goAway(); // short of memory: this stream is served, the client takes its next ones elsewhere
    }
  }

  /** A stream that {@link #streamOpened} counted closed. */
  void streamClosed() {
    openStreams--;
    server.connectionMetrics().http2StreamClosed();
    if (openStreams > 0) {
      return;
    }
    if (goingAway || server.isDraining()) {
      ctx.close();
    } else {
      armIdleTimer();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event == GatewayServer.DRAIN) {
      goAway();
      return;
    }
    context.fireUserEventTriggered(event);
  }

  /** Tells the client to open no more streams here; the connection closes when the open ones are done. */
  private void goAway() {
    if (goingAway) {
      return;
    }
    goingAway = true;
    codec.goAway();
    if (openStreams == 0) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    cancelIdleTimer();
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    if (cause instanceof Http2Exception) {
      // A protocol violation or an abuse limit, counted and logged by the codec (Http2ClientCodec), which answers
      // it with the GOAWAY that names the error (ENHANCE_YOUR_CALM for rapid resets) and closes; closing here
      // first would send NO_ERROR.
      return;
    }
    if (!(cause instanceof IOException) && !TlsContexts.isTlsFailure(cause)) {
      LOG.log(System.Logger.Level.WARNING, "HTTP/2 connection from " + context.channel().remoteAddress() + " failed", cause);
    }
    context.close();
  }

  private void armIdleTimer() {
    cancelIdleTimer();
    long nanos = server.snapshot().config().server().limits().keepAliveTimeout().toNanos();
    idleTimer = ctx.executor().schedule(this::onIdle, nanos, TimeUnit.NANOSECONDS);
  }

  private void onIdle() {
    if (openStreams == 0) {
      goAway();
    }
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
    }
  }
}
