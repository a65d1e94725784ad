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
import io.netty.util.ReferenceCountUtil;

/**
 * One pooled HTTP/1.1 connection to an endpoint, serving one request at a time. It forwards
 * what it reads to the current {@link ResponseListener} and tells its pool when it breaks, so
 * a broken connection is never handed out again.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

  private final ConnectionPool pool;
  private Channel channel;
  private ResponseListener listener;
  private boolean skippingInformational;
  private boolean responseStarted;
  private boolean responseKeepAlive;
  private boolean broken;
  private int requestsServed;
  long idleSinceNanos;
  long idleTimeoutNanos;

  UpstreamConnection(ConnectionPool pool) {
    this.pool = pool;
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
   * pool if the upstream allows keep-alive, close it otherwise.
   */
  public void release() {
    listener = null;
    requestsServed++;
    if (responseKeepAlive && !broken && channel.isActive()) {
      pool.release(this);
    } else {
      discard();
    }
  }

  /** Gives back a connection that was acquired but never used (its exchange ended first). */
  public void returnUnused() {
    listener = null;
    if (isUsable()) {
      pool.release(this);
    } else {
      discard();
    }
  }

  /** The exchange ended abnormally: close the connection; it is never reused. */
  public void discard() {
    listener = null;
    if (!broken) {
      broken = true;
      pool.forget(this);
    }
    channel.close();
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
    fail(UpstreamFailure.Kind.CLOSED, "upstream closed the connection");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(UpstreamFailure.Kind.CLOSED, "upstream connection error: " + cause.getMessage());
  }

  private void fail(UpstreamFailure.Kind kind, String detail) {
    ResponseListener target = listener;
    discard();
    if (target != null) {
      target.onFailure(new UpstreamFailure(kind, detail, responseStarted));
    }
  }
}
