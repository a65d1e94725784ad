package io.sluice.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client on Netty's client handshaker, in full control of what it sends: single and
 * fragmented messages, pings, close codes, a TCP abort; and of whether it answers pings. What
 * it receives is copied into {@link Frame}s (its buffers released at once).
 */
public final class WebSocketTestClient implements AutoCloseable {

  /** One frame received: its kind, payload, whether it ends a message, and for a close its code and reason. */
  public record Frame(String kind, byte[] payload, boolean fin, int closeCode, String closeReason) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** The answer to the upgrade: the 101's headers, or the refusal's status and body. */
  public record Handshake(int status, HttpHeaders headers, String body) {}

  /** Shared by all clients of a test run; threads are daemons. */
  private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  private final Channel channel;
  private final CompletableFuture<Handshake> handshake = new CompletableFuture<>();
  /** The write of the upgrade request: Netty's handshaker adds its frame encoder when it completes. */
  private final CompletableFuture<io.netty.channel.ChannelFuture> requestWritten = new CompletableFuture<>();
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final AtomicInteger pings = new AtomicInteger();
  private volatile boolean answerPings = true;

  private WebSocketTestClient(int port, String path, HttpHeaders headers, String subprotocols) throws Exception {
    WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
        URI.create("ws://127.0.0.1:" + port + path), WebSocketVersion.V13, subprotocols, false, headers, 16 * 1024 * 1024);
    channel = new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024), new Handler(handshaker));
          }
        })
        .connect("127.0.0.1", port).sync().channel();
    io.netty.channel.ChannelFuture written = handshaker.handshake(channel);
    requestWritten.complete(written);
    written.sync();
  }

  /** Opens a WebSocket to {@code path}; {@code headers} are name, value pairs. Returns once the gateway answered. */
  public static WebSocketTestClient connect(int port, String path, String... headers) throws Exception {
    return connectWithProtocols(port, path, null, headers);
  }

  /** Like {@link #connect}, offering {@code subprotocols} (comma-separated). */
  public static WebSocketTestClient connectWithProtocols(int port, String path, String subprotocols, String... headers)
      throws Exception {
    HttpHeaders extra = new DefaultHttpHeaders();
    for (int i = 0; i < headers.length; i += 2) {
      extra.add(headers[i], headers[i + 1]);
    }
    WebSocketTestClient client = new WebSocketTestClient(port, path, extra, subprotocols);
    client.handshake.get(10, TimeUnit.SECONDS);
    return client;
  }

  public Handshake handshake() {
    return handshake.join();
  }

  public boolean upgraded() {
    return handshake().status() == 101;
  }

  /** Stops answering pings (a client that went silent without closing). */
  public void ignorePings() {
    answerPings = false;
  }

  /** Pings received from the gateway. */
  public int pingsReceived() {
    return pings.get();
  }

  public void sendText(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text));
  }

  public void sendBinary(byte[] bytes) {
    channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
  }

  /** One text message in fragments: a text frame, then continuation frames, the last with FIN. */
  public void sendFragments(String... parts) {
    for (int i = 0; i < parts.length; i++) {
      ByteBuf payload = Unpooled.copiedBuffer(parts[i], StandardCharsets.UTF_8);
      boolean fin = i == parts.length - 1;
      channel.write(i == 0 ? new TextWebSocketFrame(fin, 0, payload) : new ContinuationWebSocketFrame(fin, 0, payload));
    }
    channel.flush();
  }

  public void ping(String payload) {
    channel.writeAndFlush(new PingWebSocketFrame(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
  }

  public void close(int code, String reason) {
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
  }

  /** Drops the TCP connection with a reset, without a close frame. */
  public void abort() {
    channel.config().setOption(ChannelOption.SO_LINGER, 0);
    channel.close().syncUninterruptibly();
  }

  /** The next frame received (pings are answered and counted, not returned), or fails after {@code wait}. */
  public Frame next(Duration wait) throws InterruptedException {
    Frame frame = frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within " + wait);
    }
    return frame;
  }

  public Frame next() throws InterruptedException {
    return next(Duration.ofSeconds(10));
  }

  /** The next close frame, skipping data frames. */
  public Frame nextClose() throws InterruptedException {
    while (true) {
      Frame frame = next();
      if (frame.kind().equals("close")) {
        return frame;
      }
    }
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** Waits until the gateway closed the TCP connection; fails after 10 seconds. */
  public void awaitClosed() throws InterruptedException {
    if (!channel.closeFuture().await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the connection is still open");
    }
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<Object> {
    private final WebSocketClientHandshaker handshaker;

    Handler(WebSocketClientHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpResponse response) {
        Handshake answer = new Handshake(response.status().code(), response.headers().copy(),
            response.content().toString(StandardCharsets.UTF_8));
        if (response.status().code() != 101) {
          handshake.complete(answer);
          return;
        }
        // only once the handshaker's own listener on the request's write has run (it needs the HTTP codec)
        FullHttpResponse switched = response.retainedDuplicate();
        requestWritten.thenAccept(written -> written.addListener(done -> {
          try {
            handshaker.finishHandshake(ctx.channel(), switched);
            handshake.complete(answer);
          } catch (RuntimeException e) {
            handshake.completeExceptionally(e);
          } finally {
            switched.release();
          }
        }));
        return;
      }
      if (!(msg instanceof WebSocketFrame frame)) {
        return;
      }
      byte[] payload = ByteBufUtil.getBytes(frame.content());
      switch (frame) {
        case PingWebSocketFrame ping -> {
          pings.incrementAndGet();
          if (answerPings) {
            ctx.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload)));
          }
        }
        case CloseWebSocketFrame close ->
            frames.add(new Frame("close", payload, true, close.statusCode(), close.reasonText()));
        case TextWebSocketFrame text -> frames.add(new Frame("text", payload, frame.isFinalFragment(), -1, null));
        case BinaryWebSocketFrame binary -> frames.add(new Frame("binary", payload, frame.isFinalFragment(), -1, null));
        case ContinuationWebSocketFrame continuation ->
            frames.add(new Frame("continuation", payload, frame.isFinalFragment(), -1, null));
        case PongWebSocketFrame pong -> frames.add(new Frame("pong", payload, true, -1, null));
        default -> { }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      handshake.completeExceptionally(new IllegalStateException("closed before the handshake was answered"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      ctx.close();
    }
  }
}
