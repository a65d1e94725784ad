package io.sluice.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A real HTTP/2 upstream on 127.0.0.1 for tests: cleartext with prior knowledge (h2c), or TLS
 * with ALPN h2 and optionally a required client certificate. It announces a chosen
 * SETTINGS_MAX_CONCURRENT_STREAMS. Behaviour is chosen by path:
 * <ul>
 *   <li>{@code /download?bytes=N} streams N bytes of the {@link BodyPattern} as the stream's flow-control window allows;
 *   <li>{@code /upload} counts the body without keeping it and answers {@code received=N}, with the header
 *       {@value BodyPattern#CHECK_HEADER} saying whether the body was the {@link BodyPattern};
 *   <li>{@code /slow?ms=N} answers after N ms;
 *   <li>{@code /stall} never answers;
 *   <li>{@code /trailers} answers {@code part1-part2} and trailers {@code x-checksum: abc},
 *       {@code grpc-status: 0};
 *   <li>{@code /goaway}, the first time after {@link #armGoAway}: sends GOAWAY whose last stream
 *       id excludes this stream (the stream is refused; the connection's earlier streams go on);
 *   <li>{@code /refuse}, the first time: RST_STREAM REFUSED_STREAM;
 *   <li>anything else echoes: the request body (or {@code METHOD PATH} without one), with
 *       {@code x-method}, {@code x-path} and each request header as {@code x-echo-NAME}.
 * </ul>
 */
public final class H2TestUpstream implements AutoCloseable {

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private final List<Http2Headers> requests = new CopyOnWriteArrayList<>();
  private final List<String> clientSubjects = new CopyOnWriteArrayList<>();
  private final AtomicBoolean goAwayArmed = new AtomicBoolean();
  private final AtomicBoolean refuseArmed = new AtomicBoolean(true);
  private volatile Http2Headers lastTrailers;

  private H2TestUpstream(int maxConcurrentStreams, SslContext tls) throws InterruptedException {
    Http2Settings settings = Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams);
    server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.incrementAndGet();
            open.add(ch);
            ch.closeFuture().addListener(f -> open.remove(ch));
            if (tls != null) {
              SslHandler ssl = tls.newHandler(ch.alloc());
              ssl.handshakeFuture().addListener(f -> recordClient(ssl));
              ch.pipeline().addLast(ssl);
            }
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    stream.pipeline().addLast(new StreamHandler());
                  }
                }), new ChannelInboundHandlerAdapter() {
                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close(); // failed handshakes are what some tests are about
                  }
                });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  /** Cleartext HTTP/2 with prior knowledge, allowing {@code maxConcurrentStreams} streams per connection. */
  public static H2TestUpstream h2c(int maxConcurrentStreams) throws InterruptedException {
    return new H2TestUpstream(maxConcurrentStreams, null);
  }

  /**
   * HTTP/2 over TLS with certificate {@code name} of {@code certs}; when {@code requireClientCert},
   * clients must present a certificate signed by the same CA.
   */
  public static H2TestUpstream h2(TestCertificates certs, String name, boolean requireClientCert) throws Exception {
    SslContextBuilder builder = SslContextBuilder.forServer(certs.file(name + ".pem").toFile(), certs.file(name + ".key").toFile())
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
    if (requireClientCert) {
      builder.clientAuth(ClientAuth.REQUIRE).trustManager(certs.file("ca.pem").toFile());
    }
    return new H2TestUpstream(100, builder.build());
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** TCP connections open now. */
  public int openConnections() {
    return open.size();
  }

  /** Streams whose request HEADERS arrived so far. */
  public int streams() {
    return streams.get();
  }

  /** Request headers (pseudo-headers included), in arrival order. */
  public List<Http2Headers> requests() {
    return requests;
  }

  public Http2Headers lastRequest() {
    return requests.isEmpty() ? null : requests.get(requests.size() - 1);
  }

  /** The trailers of the most recent request that had any, or {@code null}. */
  public Http2Headers lastTrailers() {
    return lastTrailers;
  }

  /** Subjects of the client certificates presented in TLS handshakes. */
  public List<String> clientSubjects() {
    return clientSubjects;
  }

  /** Makes the next {@code /refuse} request be refused again (it is, the first time). */
  public void armRefuse() {
    refuseArmed.set(true);
  }

  /** Makes the next {@code /goaway} request send GOAWAY. */
  public void armGoAway() {
    goAwayArmed.set(true);
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void recordClient(SslHandler ssl) {
    try {
      clientSubjects.add(((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName());
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate
    }
  }

  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private Http2Headers request;
    private String path = "";
    private Map<String, List<String>> params = Map.of();
    private CompositeByteBuf body;
    private long received;
    private final BodyPattern.Check pattern = new BodyPattern.Check();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headers) {
          if (request == null) {
            onRequest(ctx, headers.headers());
            if (request == null) {
              return; // refused
            }
          } else {
            lastTrailers = headers.headers();
          }
          if (headers.isEndStream()) {
            respond(ctx);
          }
        } else if (msg instanceof Http2DataFrame data && request != null) {
          received += data.content().readableBytes();
          pattern.update(data.content());
          if (!path.equals("/upload") && data.content().isReadable()) {
            body.addComponent(true, data.content().retain());
          }
          if (data.isEndStream()) {
            respond(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void onRequest(ChannelHandlerContext ctx, Http2Headers headers) {
      streams.incrementAndGet();
      requests.add(headers);
      QueryStringDecoder decoder = new QueryStringDecoder(headers.path().toString());
      String requestPath = decoder.path();
      if (requestPath.equals("/goaway") && goAwayArmed.compareAndSet(true, false)) {
        Channel parent = ctx.channel().parent();
        Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
        int streamId = ((Http2StreamChannel) ctx.channel()).stream().id();
        codec.goAway(parent.pipeline().context(codec), streamId - 2, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
            parent.newPromise());
        parent.flush();
        return;
      }
      if (requestPath.equals("/refuse") && refuseArmed.compareAndSet(true, false)) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
        return;
      }
      request = headers;
      path = requestPath;
      params = decoder.parameters();
      body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (body != null) {
        body.release();
        body = null;
      }
    }

    private void respond(ChannelHandlerContext ctx) {
      switch (path) {
        case "/stall" -> { }
        case "/upload" -> send(ctx, new DefaultHttp2Headers().status("200").add(BodyPattern.CHECK_HEADER, pattern.verdict()),
            text("received=" + received));
        case "/slow" -> ctx.executor().schedule(() -> send(ctx, new DefaultHttp2Headers().status("200"), text("slow")),
            Long.parseLong(param("ms", "1000")), TimeUnit.MILLISECONDS);
        case "/download" -> download(ctx, Long.parseLong(param("bytes", "0")));
        case "/trailers" -> {
          ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
          ctx.write(new DefaultHttp2DataFrame(text("part1-part2")));
          ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-checksum", "abc").add("grpc-status", "0"), true));
        }
        default -> {
          Http2Headers headers = new DefaultHttp2Headers().status("200")
              .add("x-method", request.method()).add("x-path", request.path());
          for (Map.Entry<CharSequence, CharSequence> field : request) {
            if (field.getKey().charAt(0) != ':') {
              headers.add("x-echo-" + field.getKey(), field.getValue());
            }
          }
          ByteBuf content = body.isReadable() ? body.retain() : text(request.method() + " " + request.path());
          send(ctx, headers, content);
        }
      }
    }

    private void send(ChannelHandlerContext ctx, Http2Headers headers, ByteBuf content) {
      headers.setInt("content-length", content.readableBytes());
      ctx.write(new DefaultHttp2HeadersFrame(headers));
      ctx.writeAndFlush(new DefaultHttp2DataFrame(content, true));
    }

    private void download(ChannelHandlerContext ctx, long total) {
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
      new Object() {
        long remaining = total;

        void pump() {
          while (remaining > 0 && ctx.channel().isWritable()) {
            int n = (int) Math.min(16 * 1024, remaining);
            ByteBuf chunk = ctx.alloc().buffer(n);
            BodyPattern.write(chunk, total - remaining, n);
            remaining -= n;
            ctx.write(new DefaultHttp2DataFrame(chunk, remaining == 0));
          }
          ctx.flush();
          if (remaining > 0 && ctx.channel().isActive()) {
            ctx.executor().schedule(this::pump, 1, TimeUnit.MILLISECONDS);
          }
        }
      }.pump();
    }

    private String param(String name, String fallback) {
      List<String> values = params.get(name);
      return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private ByteBuf text(String value) {
      return Unpooled.copiedBuffer(value, StandardCharsets.UTF_8);
    }
  }
}
