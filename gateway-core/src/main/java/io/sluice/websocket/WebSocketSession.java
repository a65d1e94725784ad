package io.sluice.websocket;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.WebSocketConfig;
import io.sluice.metrics.ConnectionMetrics;
import io.sluice.plugin.PluginChain;
import io.sluice.proxy.AccessLog;
import io.sluice.proxy.Exchange;
import io.sluice.proxy.ExchangeView;
import io.sluice.eventloop.Drain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One proxied WebSocket after its upgrade: relays frames between the client and the upstream
 * connection as they come (fragments stay fragments, control frames pass, a close is relayed with
 * its code and reason), with backpressure both ways: a side whose peer cannot take more is not
 * read. It enforces the route's limits on what the client sends (message size: 1009, message
 * rate: 1008), pings an idle client and closes a silent one (1001), closes on drain (1001), and
 * when one connection is lost tells the other: the client gets 1011, the upstream 1001.
 *
 * <p>Both connections share the client's event loop. The session ends once both are closed:
 * plugin completion hooks, then one access-log line with the connection's duration and bytes.
 */
final class WebSocketSession {

  /** How long a peer that was sent a close has to answer with its own before its connection is closed. */
  static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final byte[] PING_PAYLOAD = "sluice-idle".getBytes(StandardCharsets.US_ASCII);

  private final UpgradingClient clientSide;
  private final Channel client;
  private final Channel upstream;
  private final Exchange exchange;
  private final WebSocketConfig config;
  private final AccessLog accessLog;
  private final ConnectionMetrics connectionMetrics;
  private final Counter fromClient;
  private final Counter toClient;
  private final PluginChain chain;
  private final ExchangeView view;
  private final Side clientHandler = new Side(true);
  private final Side upstreamHandler = new Side(false);

  /** Bytes of the client's message in progress (its fragments so far). */
  private long clientMessageBytes;
  private long rateWindowStart;
  private int rateCount;
  private long lastActivity;
  private boolean pinged;
  private ScheduledFuture<?> idleTimer;
  private ScheduledFuture<?> closeTimer;
  private int closedChannels;
  private boolean ended;

  WebSocketSession(UpgradingClient clientSide, Channel upstream, Exchange exchange, String routeId, WebSocketConfig config,
      AccessLog accessLog, ConnectionMetrics connectionMetrics, PluginChain chain, ExchangeView view) {
    this.clientSide = clientSide;
    this.client = clientSide.channel();
    this.upstream = upstream;
    this.exchange = exchange;
    this.config = config;
    this.accessLog = accessLog;
    this.connectionMetrics = connectionMetrics;
    Counter[] counters = connectionMetrics.webSocketMessages(routeId);
    this.fromClient = counters[0];
    this.toClient = counters[1];
    this.chain = chain;
    this.view = view;
  }

  ChannelHandler clientSide() {
    return clientHandler;
  }

  ChannelHandler upstreamSide() {
    return upstreamHandler;
  }

  /** Both pipelines carry frames now: start reading both. */
  void start() {
    connectionMetrics.webSocketOpened();
    long now = System.nanoTime();
    lastActivity = now;
    rateWindowStart = now;
    ChannelFutureListener closed = future -> channelClosed();
    client.closeFuture().addListener(closed);
    upstream.closeFuture().addListener(closed);
    scheduleIdleCheck(config.idleTimeout().toNanos() / 2);
    client.config().setAutoRead(true);
    client.read();
    upstream.config().setAutoRead(true);
    upstream.read();
  }

  // ---- frames ----

  private void onFrame(Side from, WebSocketFrame frame) {
    Side to = from.peer();
    lastActivity = System.nanoTime();
    pinged = false;
    if (frame instanceof CloseWebSocketFrame close) {
      from.closeReceived = true;
      if (to.closeSent) {
        close.release(); // the answer to a close the gateway sent
      } else {
        to.closeSent = true;
        to.channel().writeAndFlush(close);
      }
      closeWhenDone();
      return;
    }
    if (from.closeReceived || to.closeSent) {
      frame.release(); // nothing is relayed after a close
      return;
    }
    if (frame instanceof PongWebSocketFrame && from.isClient && isOwnPing(frame.content())) {
      frame.release(); // the answer to the gateway's idle ping
      return;
    }
    if (!(frame instanceof PingWebSocketFrame) && !(frame instanceof PongWebSocketFrame) && !countMessage(from, frame)) {
      return;
    }
    to.channel().write(frame, to.channel().voidPromise());
    if (!to.channel().isWritable()) {
      from.channel().config().setAutoRead(false);
    }
  }

  /** Counts a data frame; false when it broke a limit (the frame is released and the session closing). */
  private boolean countMessage(Side from, WebSocketFrame frame) {
    int size = frame.content().readableBytes();
    if (!from.isClient) {
      exchange.addResponseBytes(size);
      if (frame.isFinalFragment()) {
        toClient.increment();
      }
      return true;
    }
    exchange.addRequestBytes(size);
    clientMessageBytes = (frame instanceof ContinuationWebSocketFrame ? clientMessageBytes : 0) + size;
    if (clientMessageBytes > config.maxMessageBytes()) {
      frame.release();
      closeBoth(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "Message exceeds " + config.maxMessageBytes() + " bytes",
          "message_too_big");
      return false;
    }
    if (!frame.isFinalFragment()) {
      return true;
    }
    fromClient.increment();
    WebSocketConfig.MessageRate rate = config.messageRate();
    if (rate != null) {
      long now = System.nanoTime();
      if (now - rateWindowStart >= rate.window().toNanos()) {
        rateWindowStart = now;
        rateCount = 0;
      }
      if (++rateCount > rate.limit()) {
        frame.release();
        closeBoth(WebSocketCloseStatus.POLICY_VIOLATION.code(), "Message rate exceeded", "message_rate");
        return false;
      }
    }
    return true;
  }

  private static boolean isOwnPing(ByteBuf payload) {
    return payload.readableBytes() == PING_PAYLOAD.length
        && payload.equals(Unpooled.wrappedBuffer(PING_PAYLOAD));
  }

  // ---- closing ----

  /**
   * The gateway ends the WebSocket: both peers get a close with {@code code} (one that already got
   * a close is left alone), and their connections close when they answer or after a timeout.
   */
  private void closeBoth(int code, String reason, String abort) {
    exchange.aborted(abort);
    sendClose(clientHandler, code, reason);
    sendClose(upstreamHandler, code, reason);
    closeWhenDone();
  }

  private void sendClose(Side to, int code, String reason) {
    if (to.closeSent || !to.channel().isActive()) {
      return;
    }
    to.closeSent = true;
    to.channel().writeAndFlush(new CloseWebSocketFrame(code, reason));
  }

  /** Closes a connection once closes went both ways on it; bounds the wait for the other answers. */
  private void closeWhenDone() {
    for (Side side : new Side[] {clientHandler, upstreamHandler}) {
      if (side.closeSent && side.closeReceived) {
        side.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
    if (closeTimer == null) {
      closeTimer = client.eventLoop().schedule(() -> {
        client.close();
        upstream.close();
      }, CLOSE_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  /** One connection is gone: the other is told and closed (promptly, without waiting for its close). */
  private void lost(Side gone) {
    Side other = gone.peer();
    if (!other.channel().isActive()) {
      return;
    }
    if (!(gone.closeReceived && gone.closeSent)) {
      exchange.aborted(gone.isClient ? "client_closed" : "upstream_closed");
    }
    int code = gone.isClient ? WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code() : WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code();
    if (!other.closeSent) {
      other.closeSent = true;
      other.channel().writeAndFlush(new CloseWebSocketFrame(code, gone.isClient ? "Client went away" : "Upstream went away"))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      other.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void channelClosed() {
    if (++closedChannels < 2 || ended) {
      return;
    }
    ended = true;
    cancel(idleTimer);
    cancel(closeTimer);
    connectionMetrics.webSocketClosed();
    if (view != null) {
      chain.onComplete(view, exchange.outcome());
    }
    accessLog.log(exchange);
    clientSide.sessionEnded();
  }

  // ---- idle ----

  private void scheduleIdleCheck(long delayNanos) {
    idleTimer = client.eventLoop().schedule(this::checkIdle, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  /**
   * Half the idle timeout without a frame: the client is pinged, and a live one answers. The whole
   * timeout without one: the WebSocket is closed with 1001.
   */
  private void checkIdle() {
    if (ended || clientHandler.closeSent) {
      return;
    }
    long timeout = config.idleTimeout().toNanos();
    long idle = System.nanoTime() - lastActivity;
    if (idle >= timeout) {
      closeBoth(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "Idle timeout", "idle_timeout");
      return;
    }
    if (idle >= timeout / 2 && !pinged) {
      pinged = true;
      client.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(PING_PAYLOAD)));
    }
    scheduleIdleCheck((pinged ? timeout : timeout / 2) - idle);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** The handler at the end of one connection's pipeline. */
  private final class Side extends ChannelInboundHandlerAdapter {
    private final boolean isClient;
    /** A close frame came from this side's peer. */
    boolean closeReceived;
    /** A close frame went to this side's peer. */
    boolean closeSent;

    Side(boolean isClient) {
      this.isClient = isClient;
    }

    Channel channel() {
      return isClient ? client : upstream;
    }

    Side peer() {
      return isClient ? upstreamHandler : clientHandler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame frame) {
        onFrame(this, frame);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer().channel().flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // this side's peer can take more (or no more) of what the other side sends
      Channel other = peer().channel();
      boolean writable = ctx.channel().isWritable();
      other.config().setAutoRead(writable);
      if (writable) {
        other.read();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      lost(this);
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (isClient && event == Drain.EVENT) {
        closeBoth(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "Gateway shutting down", "drain");
        return;
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException corrupted) {
        // the frame decoder sent its peer the close (1002, or 1009 for a frame over the limit) and closes;
        // the other side hears the same code
        closeReceived = true;
        closeSent = true;
        exchange.aborted(corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
            ? "message_too_big" : "protocol_error");
        Side other = peer();
        int code = isClient ? corrupted.closeStatus().code() : WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code();
        sendClose(other, code, isClient ? corrupted.closeStatus().reasonText() : "Upstream protocol error");
        closeWhenDone();
        return;
      }
      if (!(cause instanceof IOException)) {
        System.getLogger(WebSocketSession.class.getName()).log(System.Logger.Level.WARNING,
            "WebSocket " + exchange.requestId() + " failed", cause);
      }
      ctx.close();
    }
  }
}
