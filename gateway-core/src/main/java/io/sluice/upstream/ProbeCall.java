package io.sluice.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One health probe: a connection of its own to one endpoint, one request, one verdict, then the
 * connection closes. A connection per probe keeps probes out of the request pools (a probe never
 * waits behind traffic or holds a connection a request could use) and checks each time that the
 * endpoint still accepts connections.
 *
 * <p>The request travels as traffic to the upstream does: HTTP/1.1 for {@code http1} upstreams,
 * a stream on an HTTP/2 connection for {@code h2c} and {@code h2} ones (a gRPC server speaks
 * nothing else), with the upstream's TLS context and server name. Either way this handler sees
 * the response as {@code HttpObject}s. Confined to its event loop.
 */
final class ProbeCall extends ChannelInboundHandlerAdapter {

  private final HealthProbe probe;
  private final Endpoint endpoint;
  private final Consumer<String> verdict;
  private UpstreamConnector.Dial dial;
  private Channel connection;
  private ScheduledFuture<?> deadline;
  private HttpResponse head;
  private ByteBuf body = Unpooled.EMPTY_BUFFER;
  private boolean done;

  /** @param verdict gets the result once, unless {@link #cancel}led: {@code null} when passed, else why not */
  ProbeCall(HealthProbe probe, Endpoint endpoint, Consumer<String> verdict) {
    this.probe = probe;
    this.endpoint = endpoint;
    this.verdict = verdict;
  }

  /**
   * Connects and sends the request. The connect timeout of {@code settings} is the check's
   * timeout: it bounds resolving, connecting, the TLS handshake and the answer together. The host
   * name of the endpoint is resolved as for requests (the same resolver and cache); {@code first}
   * picks which of its addresses is tried first, so that successive probes visit all of them.
   */
  void start(EventLoop loop, UpstreamConnector connector, UpstreamPool.Settings settings, boolean http2, int first) {
    long timeoutMillis = settings.connectTimeout().toMillis();
    deadline = loop.schedule(() -> finish("no answer within " + timeoutMillis + "ms"), timeoutMillis, TimeUnit.MILLISECONDS);
    boolean tls = endpoint.isTls() && settings.tls() != null;
    dial = connector.dial(loop, settings, endpoint, pipeline -> {
      if (!http2) {
        pipeline.addLast(new HttpClientCodec(), this);
      } else if (tls) {
        pipeline.addLast(UpstreamConnector.CLOSE_ON_ERROR); // HTTP/2 handlers come after ALPN
      } else {
        addHttp2(pipeline);
      }
    }, (channel, failure) -> {
      if (failure != null) {
        finish(failure.detail());
      } else if (!done) {
        connection = channel;
        connected(http2, tls);
      }
    });
    dial.start(first, null);
  }

  /** Connected, and with TLS the handshake done: sends the request, over a new stream for HTTP/2. */
  private void connected(boolean http2, boolean tls) {
    connection.closeFuture().addListener(closed -> finish("the connection closed before the answer was complete"
        + (http2 && head == null ? " (does the endpoint speak HTTP/2?)" : "")));
    if (!http2) {
      FullHttpRequest request = probe.newRequest(endpoint, connection.alloc());
      request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      send(connection, request);
      return;
    }
    UpstreamFailure refused = tls ? UpstreamConnector.http2Refused(connection, endpoint) : null;
    if (refused != null) {
      finish(refused.detail());
      return;
    }
    if (tls) {
      addHttp2(connection.pipeline());
    }
    openStream();
  }

  /** Ends the probe without a verdict (the checker is closing); on the probe's loop. */
  void cancel() {
    stop();
  }

  private static void addHttp2(ChannelPipeline pipeline) {
    MultiplexedConnection.addCodecs(pipeline);
    pipeline.addLast(UpstreamConnector.CLOSE_ON_ERROR);
  }

  private void openStream() {
    new Http2StreamChannelBootstrap(connection)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), ProbeCall.this);
          }
        })
        .open()
        .addListener(opened -> {
          if (!opened.isSuccess()) {
            finish("opening an HTTP/2 stream failed: " + opened.cause());
          } else if (!done) {
            send((Channel) opened.getNow(), probe.newRequest(endpoint, connection.alloc()));
          }
        });
  }

  private void send(Channel channel, FullHttpRequest request) {
    channel.writeAndFlush(request).addListener(written -> {
      if (!written.isSuccess()) {
        finish("sending the request failed: " + written.cause());
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (done) {
        return;
      }
      if (msg instanceof HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
          return; // 100 Continue and the like: the real answer follows
        }
        head = response;
        if (probe.maxBodyBytes() == 0) {
          finish(probe.verdict(head, body, EmptyHttpHeaders.INSTANCE)); // a body to skip could take long
          return;
        }
      }
      if (msg instanceof HttpContent content && head != null) {
        collect(ctx, content.content());
        if (msg instanceof LastHttpContent last) {
          finish(probe.verdict(head, body, last.trailingHeaders()));
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Keeps the first {@link HealthProbe#maxBodyBytes} of the body. */
  private void collect(ChannelHandlerContext ctx, ByteBuf content) {
    int room = probe.maxBodyBytes() - body.readableBytes();
    if (room <= 0 || !content.isReadable()) {
      return;
    }
    if (body == Unpooled.EMPTY_BUFFER) {
      body = ctx.alloc().buffer(Math.min(room, content.readableBytes()));
    }
    body.writeBytes(content, content.readerIndex(), Math.min(room, content.readableBytes()));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finish("the connection or stream closed before the answer was complete");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    finish("the answer could not be read: " + cause.getMessage());
  }

  private void finish(String failure) {
    if (stop()) {
      verdict.accept(failure);
    }
  }

  /** Releases what the probe holds and closes its connection; false when that was done already. */
  private boolean stop() {
    if (done) {
      return false;
    }
    done = true;
    deadline.cancel(false);
    body.release();
    body = Unpooled.EMPTY_BUFFER;
    dial.cancel(); // closes the connection, or stops it being opened
    return true;
  }
}
