package io.sluice.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket server on a 127.0.0.1 ephemeral port, built from Netty's server handshaker: it
 * echoes every data frame as it came (fragments stay fragments), answers pings, speaks the
 * subprotocols {@code chat} and {@code superchat}, and takes commands as text messages:
 * {@code close:CODE:REASON} closes with that code, {@code abort} drops the TCP connection.
 * It records the handshakes it saw and the close frames it received.
 */
public final class WebSocketEchoUpstream implements AutoCloseable {

  /** A close frame this server received. */
  public record Closed(int code, String reason) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ConcurrentLinkedQueue<HttpHeaders> handshakes = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Closed> closes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger upgraded = new AtomicInteger();

  public WebSocketEchoUpstream() throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            open.add(ch);
            ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(64 * 1024))
                .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath("/")
                    .checkStartsWith(true)
                    .subprotocols("chat,superchat")
                    .handleCloseFrames(false)
                    .sendCloseFrame(null) // "abort" drops the connection without a close frame
                    .decoderConfig(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(16 * 1024 * 1024)
                        .allowExtensions(false).build())
                    .build()))
                .addLast(new Echo());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The headers of every completed upgrade request, oldest first. */
  public java.util.List<HttpHeaders> handshakes() {
    return java.util.List.copyOf(handshakes);
  }

  /** Connections that completed the handshake. */
  public int upgraded() {
    return upgraded.get();
  }

  /** TCP connections open now (upgraded or not). */
  public int openConnections() {
    return open.size();
  }

  /** Close frames received, oldest first. */
  public java.util.List<Closed> closes() {
    return java.util.List.copyOf(closes);
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    open.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Echo extends ChannelInboundHandlerAdapter {

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete complete) {
        handshakes.add(complete.requestHeaders());
        upgraded.incrementAndGet();
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof CloseWebSocketFrame close) {
        closes.add(new Closed(close.statusCode(), close.reasonText()));
        close.release();
        ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(f -> ctx.close());
        return;
      }
      if (msg instanceof TextWebSocketFrame text && text.isFinalFragment()) {
        String command = text.text();
        if (command.equals("abort")) {
          text.release();
          ctx.close();
          return;
        }
        if (command.startsWith("close:")) {
          String[] parts = command.split(":", 3);
          text.release();
          ctx.writeAndFlush(new CloseWebSocketFrame(Integer.parseInt(parts[1]), parts[2]));
          return;
        }
      }
      if (msg instanceof WebSocketFrame frame) {
        ctx.write(frame);
        return;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
