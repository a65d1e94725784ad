package io.sluice.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.sluice.eventloop.LazyTimer;
import java.net.InetSocketAddress;

/**
 * One request's way to an endpoint: a pooled HTTP/1.1 connection serving one request at a time,
 * or one HTTP/2 stream (a child channel whose codec turns frames into the same HttpObjects). It
 * forwards what it reads to the current {@link ResponseListener} and tells its home when it
 * breaks, so a broken connection is never handed out again.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

  private static final CharSequence[] HTTP2_EXTENSION_HEADERS = extensionHeaderNames();

  private final ConnectionHome home;
  private final boolean stream;
  private Channel channel;
  private ResponseListener listener;
  private boolean skippingInformational;
  private boolean responseStarted;
  private boolean responseKeepAlive;
  private boolean broken;
  private int requestsServed;
  private UpstreamFailure.Kind endKind;
  private String endDetail;
  private LazyTimer responseTimer;
  long idleSinceNanos;
  long idleTimeoutNanos;
  /** The address connected to, and the DNS answer it was last seen in (see {@link EndpointAddresses}). */
  InetSocketAddress address;
  int addressGeneration;

  /**
   * @param stream whether this is an HTTP/2 stream: used for one request only, and its responses
   *     carry the codec's {@code x-http2-*} headers, which are not the upstream's
   */
  UpstreamConnection(ConnectionHome home, boolean stream) {
    this.home = home;
    this.stream = stream;
  }

  public Channel channel() {
    return channel;
  }

  /** How many requests this connection served before the current one; {@code > 0} means it was reused. */
  public int requestsServed() {
    return requestsServed;
  }

  /** Starts serving a request: reads go to {@code newListener} until {@link #release} or {@link #discard}. */
  public void bind(ResponseListener newListener) {
    this.listener = newListener;
    this.responseStarted = false;
    this.responseKeepAlive = false;
    channel.config().setAutoRead(true);
  }

  /**
   * The exchange is over and both directions completed cleanly: return the connection to the
   * pool if the upstream allows keep-alive, close it otherwise. A stream is closed (having ended
   * both ways, it sends nothing more) and its slot on the HTTP/2 connection freed.
   */
  public void release() {
    listener = null;
    requestsServed++;
    if (!stream && responseKeepAlive && !broken && channel.isActive()) {
      home.release(this);
    } else {
      discard();
    }
  }

  /** Gives back a connection that was acquired but never used (its exchange ended first). */
  public void returnUnused() {
    listener = null;
    if (!stream && isUsable()) {
      home.release(this);
    } else {
      discard(); // a stream that never sent HEADERS closes without a frame
    }
  }

  /**
   * The exchange ended abnormally: close the connection; it is never reused. A stream that has
   * not ended both ways is reset (RST_STREAM CANCEL) by closing it; its connection carries on.
   */
  public void discard() {
    listener = null;
    if (responseTimer != null) {
      responseTimer.cancel();
    }
    if (!broken) {
      broken = true;
      home.forget(this);
    }
    if (channel != null) { // null when it never connected: its handlers were never installed
      channel.close();
    }
  }

  /**
   * The deadline for the current request's response head. It belongs to the connection, not the
   * request, so a keep-alive connection re-arms one timer per request instead of scheduling and
   * cancelling a task each time; the exchange disarms it before giving the connection back.
   */
  public LazyTimer responseTimer() {
    if (responseTimer == null) {
      responseTimer = new LazyTimer(channel.eventLoop());
    }
    return responseTimer;
  }

  boolean isUsable() {
    return !broken && channel.isActive();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ResponseListener target = listener;
    if (target == null) {
      // Bytes on an idle connection are not a response to anything: the connection is unusable.
      ReferenceCountUtil.release(msg);
      discard();
      return;
    }
    DecoderResult result = ((HttpObject) msg).decoderResult();
    if (result.isFailure()) {
      ReferenceCountUtil.release(msg);
      fail(UpstreamFailure.Kind.MALFORMED, "invalid response from upstream: " + result.cause().getMessage());
      return;
    }
    if (msg instanceof HttpResponse head) {
      if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100/103 are not forwarded; the decoder follows each with an empty last content.
        skippingInformational = true;
      } else {
        responseStarted = true;
        responseKeepAlive = HttpUtil.isKeepAlive(head);
        if (stream) {
          removeExtensionHeaders(head.headers());
        }
        target.onResponseHead(head);
      }
    }
    if (msg instanceof HttpContent content) {
      if (skippingInformational) {
        skippingInformational = !(msg instanceof LastHttpContent);
        content.release();
        return;
      }
      ByteBuf data = content.content();
      if (msg instanceof LastHttpContent last) {
        HttpHeaders trailers = last.trailingHeaders();
        if (stream && !trailers.isEmpty()) {
          removeExtensionHeaders(trailers);
        }
        if (data.isReadable()) {
          target.onResponseBody(data);
        } else {
          data.release();
        }
        if (listener == target) {
          target.onResponseEnd(trailers);
        }
      } else if (data.isReadable()) {
        target.onResponseBody(data);
      } else {
        data.release();
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ResponseListener target = listener;
    if (target != null) {
      target.onReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ResponseListener target = listener;
    if (target != null) {
      target.onWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (endKind != null) {
      fail(endKind, endDetail);
    } else {
      fail(UpstreamFailure.Kind.CLOSED, stream ? "the stream closed before the response completed" : "upstream closed the connection");
    }
  }

  /**
   * HTTP/2 tells a stream it was refused or reset with events (they bypass flow control). The
   * codec closes the stream right after; the failure is reported when it has, so that no
   * RST_STREAM is sent back for a stream the upstream already ended.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof Http2GoAwayFrame goAway) {
      // Only streams above the GOAWAY's last stream id get it: the upstream never processed them.
      endKind = UpstreamFailure.Kind.REFUSED;
      endDetail = "upstream sent GOAWAY (" + Http2Error.valueOf(goAway.errorCode()) + ") before processing the stream";
      goAway.release();
    } else if (event instanceof Http2ResetFrame reset) {
      boolean refused = reset.errorCode() == Http2Error.REFUSED_STREAM.code();
      endKind = refused ? UpstreamFailure.Kind.REFUSED : UpstreamFailure.Kind.CLOSED;
      endDetail = "upstream reset the stream (" + Http2Error.valueOf(reset.errorCode()) + ")";
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Http2Exception http2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (http2 != null && http2.error() == Http2Error.REFUSED_STREAM) {
      // The codec refuses a stream it cannot open (the connection is at its stream limit or going away).
      fail(UpstreamFailure.Kind.REFUSED, "HTTP/2 stream not opened: " + cause.getMessage());
    } else {
      fail(UpstreamFailure.Kind.CLOSED, "upstream connection error: " + cause.getMessage());
    }
  }

  private static void removeExtensionHeaders(HttpHeaders headers) {
    for (CharSequence name : HTTP2_EXTENSION_HEADERS) {
      headers.remove(name);
    }
  }

  private static CharSequence[] extensionHeaderNames() {
    HttpConversionUtil.ExtensionHeaderNames[] names = HttpConversionUtil.ExtensionHeaderNames.values();
    CharSequence[] out = new CharSequence[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = names[i].text();
    }
    return out;
  }

  private void fail(UpstreamFailure.Kind kind, String detail) {
    ResponseListener target = listener;
    discard();
    if (target != null) {
      target.onFailure(new UpstreamFailure(kind, detail, responseStarted));
    }
  }
}
