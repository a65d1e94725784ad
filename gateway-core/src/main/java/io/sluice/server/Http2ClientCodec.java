package io.sluice.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;
import io.sluice.proxy.ProxyHeaders;
import java.io.IOException;
import java.time.Duration;

/**
 * Netty's HTTP/2 connection handler for a client connection, whose frames {@link Http2ClientStreams} turns
 * into exchanges, one {@link Http2ClientStream} per stream, all on this connection's pipeline: no channel
 * or pipeline per stream.
 *
 * <p>It reports each error it answers to {@link Http2Errors} (every error passes through {@link #onError}
 * before the handler resets the stream or sends GOAWAY) and bounds the streams it resets because the client
 * broke their rules. That bound stops "MadeYouReset" (CVE-2025-8671): a client that cannot reset streams
 * itself faster than {@code max_resets} allows can make the server do it, with a bad WINDOW_UPDATE, a frame
 * on a closed stream or a stream over the concurrency limit, costing the same work. Past
 * {@code max_server_resets} within the window the connection gets GOAWAY ENHANCE_YOUR_CALM and is closed
 * once that is written. Netty's own bound (its encoder's) is not used: it counts the resets the gateway
 * sends for its own reasons too (an upstream failing mid-response), and it closes the connection before the
 * GOAWAY is written, which then never reaches the client on io_uring.
 */
final class Http2ClientCodec extends Http2ConnectionHandler {

  private final Http2Errors errors;
  private final int maxServerResets;
  private final long resetWindowNanos;
  private final Http2ClientStreams streams;
  private ChannelHandlerContext ctx;
  private long resetWindowStart = System.nanoTime();
  private int serverResetsInWindow;
  private boolean connectionErrorSeen;

  private Http2ClientCodec(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
      Builder builder) {
    super(decoder, encoder, settings, false, true);
    this.errors = builder.errors;
    this.maxServerResets = builder.maxServerResets;
    this.resetWindowNanos = builder.resetWindow.toNanos();
    this.streams = builder.streams.apply(this);
    decoder.frameListener(streams);
  }

  /**
   * A builder for a codec whose streams are made by {@code streams}, that reports to {@code errors} and
   * resets at most {@code maxServerResets} streams for the client's errors within {@code resetWindow}.
   */
  static Builder builder(Http2Errors errors, int maxServerResets, Duration resetWindow,
      java.util.function.Function<Http2ClientCodec, Http2ClientStreams> streams) {
    return new Builder(errors, maxServerResets, resetWindow, streams);
  }

  /** The context of this handler, once added; streams write through it. */
  ChannelHandlerContext context() {
    return ctx;
  }

  Http2ClientStreams streams() {
    return streams;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) throws Exception {
    this.ctx = context;
    super.handlerAdded(context);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) throws Exception {
    streams.readComplete(); // the streams that read something end their read burst; then the handler flushes
    super.channelReadComplete(context);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
    try {
      if (event instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
        // h2c: stream 1 exists, half closed, and carries the HTTP/1.1 request that asked for the upgrade
        streams.upgraded(upgrade.upgradeRequest());
        streams.readComplete();
        flush(context);
      }
    } finally {
      super.userEventTriggered(context, event); // the end of the pipeline releases the upgrade's request
    }
  }

  /**
   * Tells the client to open no more streams (GOAWAY NO_ERROR naming the last stream it opened); the
   * streams in flight go on.
   */
  void goAway() {
    goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
        ctx.newPromise());
    flush(ctx);
  }

  /** Widens the connection's receive window by {@code bytes} (the stream's initial window stays). */
  void widenConnectionWindow(int bytes) {
    try {
      connection().local().flowController().incrementWindowSize(connection().connectionStream(), bytes);
    } catch (Http2Exception e) {
      onError(ctx, true, e);
    }
    flush(ctx);
  }

  @Override
  public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
    Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    int resets = 0;
    if (error instanceof Http2Exception.CompositeStreamException composite) {
      for (Http2Exception.StreamException stream : composite) {
        errors.streamError(ctx.channel(), stream);
        resets += provokedReset(stream) ? 1 : 0;
      }
    } else if (error instanceof Http2Exception.StreamException stream) {
      errors.streamError(ctx.channel(), stream);
      resets += provokedReset(stream) ? 1 : 0;
    } else if (error != null && !(error.getCause() instanceof IOException)) {
      // (an error wrapping an IOException is a write to a client that went away: not the client's protocol error)
      errors.connectionError(ctx.channel(), error, Http2Errors.connectionReason(error), !connectionErrorSeen);
      connectionErrorSeen = true;
    }
    super.onError(ctx, outbound, cause);
    if (resets > 0 && tooManyResets(resets)) {
      Http2Exception calm = Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
          "more than %d streams reset for the client's errors within %d seconds", maxServerResets,
          Duration.ofNanos(resetWindowNanos).toSeconds());
      errors.connectionError(ctx.channel(), calm, "server_resets", true);
      connectionErrorSeen = true;
      super.onError(ctx, true, calm); // GOAWAY, and close once it is written
    }
  }

  /** Whether the handler answers {@code error} with a reset that counts against the client (as Netty's bound counts them). */
  private static boolean provokedReset(Http2Exception.StreamException error) {
    return error.error() != Http2Error.CANCEL && error.error() != Http2Error.NO_ERROR;
  }

  /** Counts {@code resets} more; true once the count within the window first goes past the bound. */
  private boolean tooManyResets(int resets) {
    if (connectionErrorSeen) {
      return false; // already going away
    }
    long now = System.nanoTime();
    if (now - resetWindowStart >= resetWindowNanos) {
      resetWindowStart = now;
      serverResetsInWindow = 0;
    }
    serverResetsInWindow += resets;
    return serverResetsInWindow > maxServerResets;
  }

  /** The connection handler's options for a server, building an {@link Http2ClientCodec}. */
  static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2ClientCodec, Builder> {

    private final Http2Errors errors;
    private final int maxServerResets;
    private final Duration resetWindow;
    private final java.util.function.Function<Http2ClientCodec, Http2ClientStreams> streams;

    private Builder(Http2Errors errors, int maxServerResets, Duration resetWindow,
        java.util.function.Function<Http2ClientCodec, Http2ClientStreams> streams) {
      this.errors = errors;
      this.maxServerResets = maxServerResets;
      this.resetWindow = resetWindow;
      this.streams = streams;
      server(true);
      // the bound on resets sent is the codec's own, see the class comment
      encoderEnforceMaxRstFramesPerWindow(0, 0);
      // a graceful close waits for no stream: drains wait for their streams themselves (Http2Session)
      gracefulShutdownTimeoutMillis(0);
      // A request id is new on every response: in the HPACK table it would only push out what repeats.
      headerSensitivityDetector((name, value) -> ProxyHeaders.X_REQUEST_ID.contentEquals(name));
    }

    @Override
    public Builder initialSettings(Http2Settings settings) {
      return super.initialSettings(settings);
    }

    @Override
    public Builder validateHeaders(boolean validate) {
      return super.validateHeaders(validate);
    }

    @Override
    public Builder decoderEnforceMaxRstFramesPerWindow(int maxRstFramesPerWindow, int secondsPerWindow) {
      return super.decoderEnforceMaxRstFramesPerWindow(maxRstFramesPerWindow, secondsPerWindow);
    }

    @Override
    public Http2ClientCodec build() {
      return super.build();
    }

    @Override
    protected Http2ClientCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      return new Http2ClientCodec(decoder, encoder, initialSettings, this);
    }
  }
}
