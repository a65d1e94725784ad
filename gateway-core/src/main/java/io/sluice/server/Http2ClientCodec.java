package io.sluice.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.time.Duration;

/**
 * Netty's HTTP/2 frame codec for a client connection, which reports each error it answers to
 * {@link Http2Errors} (every error passes through {@link #onError} before the codec resets the stream or
 * sends GOAWAY) and bounds the streams it resets because the client broke their rules.
 *
 * <p>That bound stops "MadeYouReset" (CVE-2025-8671): a client that cannot reset streams itself faster than
 * {@code max_resets} allows can make the server do it, with a bad WINDOW_UPDATE, a frame on a closed stream or
 * a stream over the concurrency limit, costing the same work. Past {@code max_server_resets} within the
 * window the connection gets GOAWAY ENHANCE_YOUR_CALM and is closed once that is written. Netty's own bound
 * (its encoder's) is not used: it counts the resets the gateway sends for its own reasons too (an upstream
 * failing mid-response), and it closes the connection before the GOAWAY is written, which then never reaches
 * the client on io_uring.
 */
final class Http2ClientCodec extends Http2FrameCodec {

  private final Http2Errors errors;
  private final int maxServerResets;
  private final long resetWindowNanos;
  private long resetWindowStart = System.nanoTime();
  private int serverResetsInWindow;
  private boolean connectionErrorSeen;

  private Http2ClientCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
      boolean decoupleCloseAndGoAway, boolean flushPreface, Builder builder) {
    super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
    this.errors = builder.errors;
    this.maxServerResets = builder.maxServerResets;
    this.resetWindowNanos = builder.resetWindow.toNanos();
  }

  /**
   * A builder with the frame codec's options whose codec reports to {@code errors} and resets at most
   * {@code maxServerResets} streams for the client's errors within {@code resetWindow}.
   */
  static Builder builder(Http2Errors errors, int maxServerResets, Duration resetWindow) {
    return new Builder(errors, maxServerResets, resetWindow);
  }

  @Override
  public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
    Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    int resets = 0;
    if (error instanceof Http2Exception.CompositeStreamException streams) {
      for (Http2Exception.StreamException stream : streams) {
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

  /** Whether the codec answers {@code error} with a reset that counts against the client (as Netty's bound counts them). */
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

  /** {@link Http2FrameCodecBuilder} for servers, building an {@link Http2ClientCodec}. */
  static final class Builder extends Http2FrameCodecBuilder {

    private final Http2Errors errors;
    private final int maxServerResets;
    private final Duration resetWindow;

    private Builder(Http2Errors errors, int maxServerResets, Duration resetWindow) {
      this.errors = errors;
      this.maxServerResets = maxServerResets;
      this.resetWindow = resetWindow;
      server(true);
      // the bound on resets sent is the codec's own, see the class comment
      encoderEnforceMaxRstFramesPerWindow(0, 0);
    }

    @Override
    protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      Http2ClientCodec codec = new Http2ClientCodec(encoder, decoder, initialSettings, decoupleCloseAndGoAway(),
          flushPreface(), this);
      codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
      return codec;
    }
  }
}
