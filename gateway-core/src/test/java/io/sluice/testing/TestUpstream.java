package io.sluice.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 upstream on 127.0.0.1 for tests. Behaviour is chosen by path:
 * <ul>
 *   <li>{@code /download?bytes=N} streams N bytes of the {@link BodyPattern} (chunked, written as the socket drains);
 *   <li>{@code /upload} counts the body without keeping it and answers {@code received=N}, with the header
 *       {@value BodyPattern#CHECK_HEADER} saying whether the body was the {@link BodyPattern};
 *   <li>{@code /slow?ms=N} answers after N ms;
 *   <li>{@code /die?after=N} promises a megabyte, sends N bytes of the {@link BodyPattern}, then closes;
 *   <li>{@code /malformed} answers bytes that are not HTTP;
 *   <li>{@code /trailers} answers chunked with a trailer {@code x-checksum: abc};
 *   <li>{@code /early} answers 200 at once, without reading the request body;
 *   <li>{@code /flaky} is answered on a fresh connection, but closes a reused one without a word
 *       (an upstream that timed out an idle keep-alive connection just as a request arrived);
 *   <li>{@code /close} answers with {@code Connection: close} and closes;
 *   <li>{@code /healthz} answers the status set with {@link #healthStatus} (200 at first);
 *   <li>anything else echoes: status 200 (or the one set with {@link #echoStatus}), body {@code METHOD URI},
 *       and records the request; after the delay set with {@link #echoDelay}, if any; or closes the
 *       connection without a word while {@link #resetting} is on.
 * </ul>
 */
public final class TestUpstream implements AutoCloseable {

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private volatile int healthStatus = 200;
  private volatile int echoStatus = 200;
  private volatile long echoDelayMillis;
  private volatile boolean resetting;
  private final AtomicLong uploadedBytes = new AtomicLong();
  private final List<HttpRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger abortedUploads = new AtomicInteger();
  private volatile io.netty.handler.codec.http.HttpHeaders lastTrailers;
  private volatile ReceivedBody lastBody;

  /** A request body as the upstream received it: its length and whether it was the {@link BodyPattern}. */
  public record ReceivedBody(long bytes, String check) {
    /** {@code bytes} bytes of the {@link BodyPattern}. */
    public static ReceivedBody intact(long bytes) {
      return new ReceivedBody(bytes, BodyPattern.INTACT);
    }
  }

  public TestUpstream() throws InterruptedException {
    this("127.0.0.1", 0);
  }

  /** An upstream on {@code host} (a loopback address such as 127.0.0.2) and {@code port} (0 for any free one). */
  public TestUpstream(String host, int port) throws InterruptedException {
    server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.incrementAndGet();
            openConnections.incrementAndGet();
            ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
            ch.pipeline().addLast(new HttpServerCodec(), new Handler());
          }
        })
        .bind(host, port).sync().channel();
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
    return openConnections.get();
  }

  /** Makes {@code /healthz} answer {@code status} from now on. */
  public void healthStatus(int status) {
    healthStatus = status;
  }

  /** Makes the echoing paths answer {@code status} from now on (an upstream failing on command); 200 to recover. */
  public void echoStatus(int status) {
    this.echoStatus = status;
  }

  /** Makes the echoing paths answer only after {@code millis} from now on (an upstream slowing down); 0 to recover. */
  public void echoDelay(long millis) {
    this.echoDelayMillis = millis;
  }

  /**
   * Makes the echoing paths close the connection without answering, once the request is read,
   * from now on (an upstream crashing or resetting mid-request); false to recover.
   */
  public void resetting(boolean on) {
    this.resetting = on;
  }

  /** Requests received so far for {@code path} (query excluded). */
  public long requestsFor(String path) {
    return requests.stream().filter(r -> pathOf(r).equals(path)).count();
  }

  /** Requests received so far for any other path than {@code path}: the traffic besides health checks, say. */
  public long requestsExcept(String path) {
    return requests.stream().filter(r -> !pathOf(r).equals(path)).count();
  }

  private static String pathOf(HttpRequest request) {
    return new QueryStringDecoder(request.uri()).path();
  }

  /** Requests received so far (heads only), in order. */
  public List<HttpRequest> requests() {
    return requests;
  }

  /** The most recent request head. */
  public HttpRequest lastRequest() {
    return requests.isEmpty() ? null : requests.get(requests.size() - 1);
  }

  /** Upload bodies whose connection closed before the body completed. */
  public int abortedUploads() {
    return abortedUploads.get();
  }

  /** The trailers of the most recent request body that had any, or {@code null}. */
  public io.netty.handler.codec.http.HttpHeaders lastTrailers() {
    return lastTrailers;
  }

  /** The body of the most recent request that ended, whatever its path, or {@code null}. */
  public ReceivedBody lastBody() {
    return lastBody;
  }

  public long uploadedBytes() {
    return uploadedBytes.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private String path = "";
    private Map<String, List<String>> params = Map.of();
    private long received;
    private BodyPattern.Check pattern;
    private boolean uploading;
    private boolean keepAlive;
    private int requestsOnConnection;
    private HttpRequest current;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest request) {
          requests.add(request);
          current = request;
          QueryStringDecoder decoder = new QueryStringDecoder(request.uri());
          path = decoder.path();
          int query = request.uri().indexOf('?');
          params = query < 0 ? Map.of() : io.sluice.routing.QueryString.parse(request.uri().substring(query + 1)); // leniently, like the gateway
          keepAlive = HttpUtil.isKeepAlive(request);
          received = 0;
          pattern = new BodyPattern.Check();
          uploading = path.equals("/upload");
          requestsOnConnection++;
          if (path.equals("/flaky") && requestsOnConnection > 1) {
            ctx.close();
            return;
          }
          if (path.equals("/close")) {
            keepAlive = false;
          }
          switch (path) {
            case "/early" -> ctx.writeAndFlush(full(HttpResponseStatus.OK, "early"))
                .addListener(ChannelFutureListener.CLOSE);
            // Written below the HTTP encoder, which would refuse raw bytes.
            case "/malformed" -> ctx.pipeline().context(HttpServerCodec.class).writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 abc nonsense\r\n\0\0\r\n\r\n",
                StandardCharsets.ISO_8859_1)).addListener(ChannelFutureListener.CLOSE);
            default -> { }
          }
        }
        if (msg instanceof HttpContent content) {
          received += content.content().readableBytes();
          pattern.update(content.content());
          if (uploading) {
            uploadedBytes.addAndGet(content.content().readableBytes());
          }
          if (msg instanceof LastHttpContent last) {
            if (!last.trailingHeaders().isEmpty()) {
              lastTrailers = last.trailingHeaders().copy();
            }
            uploading = false;
            lastBody = new ReceivedBody(received, pattern.verdict());
            respond(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (uploading) {
        abortedUploads.incrementAndGet();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    private void respond(ChannelHandlerContext ctx) {
      switch (path) {
        case "/early", "/malformed" -> { }
        case "/upload" -> {
          FullHttpResponse response = full(HttpResponseStatus.OK, "received=" + received);
          response.headers().set(BodyPattern.CHECK_HEADER, pattern.verdict());
          send(ctx, response);
        }
        case "/healthz" -> send(ctx, full(HttpResponseStatus.valueOf(healthStatus), "health"));
        case "/download" -> download(ctx, Long.parseLong(param("bytes", "0")));
        case "/slow" -> ctx.executor().schedule(() -> send(ctx, full(HttpResponseStatus.OK, "slow")),
            Long.parseLong(param("ms", "1000")), TimeUnit.MILLISECONDS);
        case "/die" -> {
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1024 * 1024);
          ctx.write(head);
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(BodyPattern.bytes(Integer.parseInt(param("after", "100"))))))
              .addListener(f -> ctx.executor().schedule(() -> ctx.channel().close(), 50, TimeUnit.MILLISECONDS));
        }
        case "/trailers" -> {
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          HttpUtil.setTransferEncodingChunked(head, true);
          ctx.write(head);
          ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("part1-", StandardCharsets.UTF_8)));
          LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("part2", StandardCharsets.UTF_8));
          last.trailingHeaders().set("x-checksum", "abc");
          ctx.writeAndFlush(last);
        }
        default -> {
          if (resetting) {
            ctx.close();
            return;
          }
          long delay = echoDelayMillis;
          HttpRequest request = current;
          if (delay > 0) {
            ctx.executor().schedule(() -> echo(ctx, request), delay, TimeUnit.MILLISECONDS);
          } else {
            echo(ctx, request);
          }
        }
      }
    }

    private void echo(ChannelHandlerContext ctx, HttpRequest request) {
      FullHttpResponse response = full(HttpResponseStatus.valueOf(echoStatus), request.method() + " " + request.uri());
      response.headers().set("x-upstream", "test");
      response.headers().set("connection", "keep-alive, x-hop");
      response.headers().set("x-hop", "should not pass");
      response.headers().set("keep-alive", "timeout=5");
      response.headers().set("proxy-authenticate", "Basic realm=\"upstream\"");
      send(ctx, response);
    }

    private void download(ChannelHandlerContext ctx, long total) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.writeAndFlush(head);
      new Object() {
        long remaining = total;

        void pump() {
          while (remaining > 0 && ctx.channel().isWritable()) {
            int n = (int) Math.min(64 * 1024, remaining);
            ByteBuf chunk = ctx.alloc().buffer(n);
            BodyPattern.write(chunk, total - remaining, n);
            remaining -= n;
            ctx.write(new DefaultHttpContent(chunk));
          }
          if (remaining == 0) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
          }
          ctx.flush();
          ctx.channel().eventLoop().schedule(this::pump, 1, TimeUnit.MILLISECONDS);
        }
      }.pump();
    }

    private String param(String name, String fallback) {
      List<String> values = params.get(name);
      return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response) {
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(response);
      }
    }

    private FullHttpResponse full(HttpResponseStatus status, String body) {
      ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      return response;
    }
  }
}
