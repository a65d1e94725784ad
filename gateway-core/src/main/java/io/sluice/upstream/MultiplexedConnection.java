package io.sluice.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * One HTTP/2 connection to an endpoint, carrying requests as streams. It is the last handler of
 * the connection's pipeline, after the frame codec and the multiplexer, and sees what concerns the
 * whole connection: the upstream's SETTINGS (the first make it ready and say how many streams it
 * takes at once), GOAWAY (it then takes no new streams and closes when its last one ends) and the
 * connection closing. Confined to its event loop, like its pool.
 */
final class MultiplexedConnection extends ChannelInboundHandlerAdapter implements ConnectionHome {

  private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

  /** What the gateway tells the upstream: no server push, response headers as large as over HTTP/1.1. */
  /** Each response stream's flow-control window: what the upstream may send ahead of the client reading it. */
  private static final int STREAM_WINDOW_BYTES = 1024 * 1024;
  /**
   * The connection's window: the full windows of 16 streams. A stream whose client reads slowly
   * holds its unread bytes against the connection's window too, so it must be well above one
   * stream's for the other streams on the connection to keep flowing.
   */
  private static final int CONNECTION_WINDOW_BYTES = 16 * STREAM_WINDOW_BYTES;

  private static final Http2Settings CLIENT_SETTINGS = Http2Settings.defaultSettings().pushEnabled(false)
      .maxHeaderListSize(MAX_RESPONSE_HEADER_BYTES).initialWindowSize(STREAM_WINDOW_BYTES);

  /** Pushed streams are disabled in the settings; should one open anyway, it is closed. */
  private static final ChannelHandler NO_INBOUND_STREAMS = new RefuseInboundStreams();

  private enum State { CONNECTING, READY, DRAINING, CLOSED }

  private final Http2ConnectionPool pool;
  private final long idleTimeoutNanos;
  private State state = State.CONNECTING;
  private Channel channel;
  private Http2Connection connection;
  private int openStreams;
  private long idleSinceNanos;
  /** How the connection is opened; cancelling it closes the connection. */
  UpstreamConnector.Dial dial;
  /** The address connected to, and the DNS answer it was last seen in (see {@link EndpointAddresses}). */
  java.net.InetSocketAddress address;
  int addressGeneration;

  MultiplexedConnection(Http2ConnectionPool pool, long idleTimeoutNanos) {
    this.pool = pool;
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  /** Adds the HTTP/2 handlers; the connection preface goes out as soon as the channel is active. */
  void install(ChannelPipeline pipeline) {
    connection = addCodecs(pipeline).connection();
    pipeline.addLast("connection", this);
  }

  /**
   * The client side of HTTP/2 as every upstream connection has it: the frame codec with the
   * gateway's settings, then the multiplexer that makes each stream a child channel.
   */
  static Http2FrameCodec addCodecs(ChannelPipeline pipeline) {
    Http2FrameCodec codec = Http2FrameCodecBuilder.forClient().initialSettings(CLIENT_SETTINGS).build();
    pipeline.addLast("h2", codec);
    pipeline.addLast("streams", new Http2MultiplexHandler(NO_INBOUND_STREAMS));
    return codec;
  }

  boolean isConnecting() {
    return state == State.CONNECTING;
  }

  boolean isReady() {
    return state == State.READY;
  }

  /** Streams handed out whose exchange has not ended. */
  int openStreams() {
    return openStreams;
  }

  /** How many streams the upstream allows at once (its SETTINGS_MAX_CONCURRENT_STREAMS). */
  int maxStreams() {
    return connection.local().maxActiveStreams();
  }

  /**
   * How many more streams can be opened now. Streams handed out but not yet started count (the
   * codec only knows a stream once its HEADERS are written), and so do streams the codec still
   * holds open after their exchange ended (a reset not yet written).
   */
  int freeStreams() {
    // The codec marks a GOAWAY before the streams it refuses hear of it: check it, not only our state.
    if (state != State.READY || connection.goAwayReceived() || !channel.isActive()) {
      return 0;
    }
    return maxStreams() - Math.max(openStreams, connection.local().numActiveStreams());
  }

  /** Whether the connection has had no streams for its idle timeout. */
  boolean isIdleExpired(long now) {
    return state == State.READY && openStreams == 0 && now - idleSinceNanos - idleTimeoutNanos >= 0;
  }

  long idleDueNanos(long now) {
    return idleSinceNanos + idleTimeoutNanos - now;
  }

  /** Opens a stream for one request; {@code acquirer} gets it once its pipeline is in place. */
  void openStream(UpstreamPool.Acquirer acquirer) {
    openStreams++;
    UpstreamConnection stream = new UpstreamConnection(this, true);
    new Http2StreamChannelBootstrap(channel)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), stream);
          }
        })
        .open()
        .addListener(opened -> {
          if (opened.isSuccess()) {
            acquirer.onAcquired(stream);
          } else {
            openStreams--;
            pool.streamNotOpened(acquirer, "opening a stream to " + pool.endpoint() + " failed: " + opened.cause());
          }
        });
  }

  void close() {
    channel.close();
  }

  @Override
  public void release(UpstreamConnection stream) {
    forget(stream); // streams are never reused
  }

  @Override
  public void forget(UpstreamConnection stream) {
    openStreams--;
    if (openStreams == 0) {
      idleSinceNanos = System.nanoTime();
      if (state == State.DRAINING) {
        channel.close();
        return;
      }
    }
    pool.capacityChanged(this);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2SettingsFrame) {
        if (state == State.CONNECTING) {
          ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW_BYTES - STREAM_WINDOW_BYTES));
          state = State.READY;
          idleSinceNanos = System.nanoTime();
          pool.connectionReady(this);
        } else {
          pool.capacityChanged(this); // the stream limit may have grown
        }
      } else if (msg instanceof Http2GoAwayFrame) {
        drain();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** DNS no longer names the address: like a GOAWAY from the upstream, without one. */
  void retire() {
    if (state == State.READY) {
      drain();
    }
  }

  /** GOAWAY: streams the upstream accepted finish; no new ones start; the connection closes after the last. */
  private void drain() {
    if (state == State.CLOSED || state == State.DRAINING) {
      return;
    }
    boolean wasReady = state == State.READY;
    state = State.DRAINING;
    pool.connectionDraining(this, wasReady);
    if (openStreams == 0) {
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    State was = state;
    state = State.CLOSED;
    pool.connectionClosed(this, was == State.CONNECTING);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // The frame codec already answered protocol errors with GOAWAY; anything reaching here ends the connection.
    ctx.close();
  }

  @ChannelHandler.Sharable
  private static final class RefuseInboundStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.channel().close();
    }
  }
}
