package io.sluice.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/2 client on Netty's frame codec and stream multiplexer, for tests: prior-knowledge
 * h2c or TLS with ALPN h2, one connection, any number of concurrent streams. A stream can be held
 * unread (its flow-control window then fills up) to stall it on purpose.
 */
public final class H2Client implements AutoCloseable {

  private static final int CONNECTION_WINDOW_BYTES = 64 * 1024 * 1024;

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private volatile Http2GoAwayFrame goAway;

  private H2Client(int port, SslContext tls, String serverName, int initialWindow) throws InterruptedException {
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (tls != null) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc(), serverName, port));
            }
            ch.pipeline()
                .addLast(Http2FrameCodecBuilder.forClient()
                    .initialSettings(new Http2Settings().initialWindowSize(initialWindow))
                    .build())
                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                .addLast(new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Http2GoAwayFrame frame) {
                      goAway = frame.retainedDuplicate();
                    }
                    ReferenceCountUtil.release(msg);
                  }
                });
          }
        });
    this.channel = bootstrap.connect("127.0.0.1", port).sync().channel();
    if (tls != null) {
      channel.pipeline().get(SslHandler.class).handshakeFuture().sync();
    }
    // Like browsers and gRPC, keep the connection window well above one stream's, so a stream
    // held unread does not use up the window of all the others.
    channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW_BYTES)).sync();
  }

  /** Prior-knowledge HTTP/2 over clear text. */
  public static H2Client h2c(int port) throws InterruptedException {
    return new H2Client(port, null, null, 1024 * 1024);
  }

  /** Prior-knowledge h2c with a given stream window (small windows make stalls quick). */
  public static H2Client h2c(int port, int initialWindow) throws InterruptedException {
    return new H2Client(port, null, null, initialWindow);
  }

  /** HTTP/2 over TLS; {@code tls} must offer ALPN h2. */
  public static H2Client tls(int port, SslContext tls) throws InterruptedException {
    return new H2Client(port, tls, "localhost", 1024 * 1024);
  }

  /** HTTP/2 over TLS, asking for {@code serverName} with SNI. */
  public static H2Client tls(int port, SslContext tls, String serverName) throws InterruptedException {
    return new H2Client(port, tls, serverName, 1024 * 1024);
  }

  /** The subject of the certificate the server presented. */
  public String peerCertificateSubject() throws javax.net.ssl.SSLPeerUnverifiedException {
    return ((java.security.cert.X509Certificate) channel.pipeline().get(SslHandler.class).engine().getSession()
        .getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  /** The protocol TLS negotiated, or {@code null} in clear text. */
  public String negotiatedProtocol() {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl == null ? null : ssl.applicationProtocol();
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** The GOAWAY the server sent, if any. */
  public Http2GoAwayFrame goAway() {
    return goAway;
  }

  /** Sends a complete request and waits for the complete response. */
  public Response request(String method, String path, Map<String, String> headers, byte[] body) throws Exception {
    Stream stream = open(method, path, headers, body == null);
    if (body != null) {
      stream.send(body, true);
    }
    return stream.response().get(10, TimeUnit.SECONDS);
  }

  public Response get(String path) throws Exception {
    return request("GET", path, Map.of(), null);
  }

  /** Opens a stream and sends its request head; {@code endOfRequest} when no body follows. */
  public Stream open(String method, String path, Map<String, String> headers, boolean endOfRequest) throws Exception {
    Stream stream = new Stream();
    Http2StreamChannel child = new Http2StreamChannelBootstrap(channel).handler(stream).open().get(5, TimeUnit.SECONDS);
    Http2Headers h2 = new DefaultHttp2Headers().method(method).path(path).scheme(negotiatedProtocol() == null ? "http" : "https")
        .authority("localhost");
    headers.forEach(h2::set); // a test may replace :authority
    child.writeAndFlush(new DefaultHttp2HeadersFrame(h2, endOfRequest)).sync();
    return stream;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    if (goAway != null) {
      goAway.release();
    }
  }

  /** A complete response: status, headers, body and trailers (empty when none came). */
  public record Response(int status, Http2Headers headers, byte[] body, Http2Headers trailers) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** One stream: send body pieces, hold or resume reading, await the response. */
  public static final class Stream extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Response> response = new CompletableFuture<>();
    private final CompletableFuture<Http2Headers> head = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Http2Headers headers;
    private volatile Channel channel;
    private volatile long received;
    private long resetCode = -1;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    public void send(byte[] bytes, boolean end) throws InterruptedException {
      channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), end)).sync();
    }

    /** Stops (or resumes) reading: unread data is not acknowledged, so the server's window fills. */
    public void setReading(boolean reading) {
      channel.config().setAutoRead(reading);
      if (reading) {
        channel.read();
      }
    }

    /** Resets the stream (CANCEL). */
    public void cancel() {
      channel.close();
    }

    public CompletableFuture<Response> response() {
      return response;
    }

    /** The response head, as soon as it arrives. */
    public CompletableFuture<Http2Headers> head() {
      return head;
    }

    /** Body bytes received so far. */
    public long received() {
      return received;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame frame) {
          if (headers == null && frame.headers().status() != null && !frame.headers().status().toString().startsWith("1")) {
            headers = frame.headers();
            head.complete(headers);
            if (frame.isEndStream()) {
              response.complete(new Response(status(), headers, body.toByteArray(), new DefaultHttp2Headers()));
            }
          } else if (headers != null && frame.isEndStream()) {
            response.complete(new Response(status(), headers, body.toByteArray(), frame.headers()));
          }
        } else if (msg instanceof Http2DataFrame data) {
          received += data.content().readableBytes();
          body.writeBytes(ByteBufUtil.getBytes(data.content()));
          if (data.isEndStream()) {
            response.complete(new Response(status(), headers, body.toByteArray(), new DefaultHttp2Headers()));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof Http2ResetFrame reset) {
        // Reported when the stream closes: frames that came before the reset may still be queued.
        resetCode = reset.errorCode();
      }
      ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      response.completeExceptionally(new IllegalStateException(resetCode >= 0 ? "stream reset: " + resetCode
          : "stream closed before the response ended"));
    }

    private int status() {
      return Integer.parseInt(headers.status().toString());
    }
  }
}
