package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * On a clear-text listener with h2c, looks at a connection's first bytes: the HTTP/2 client
 * preface means prior-knowledge HTTP/2, anything else is HTTP/1.1 (which may still upgrade). It
 * only peeks; the bytes go on to whichever codec it installs.
 */
final class PrefaceDetector extends ByteToMessageDecoder {

  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final ClientPipelines pipelines;
  private final boolean http1;
  private ScheduledFuture<?> deadline;

  PrefaceDetector(ClientPipelines pipelines, boolean http1) {
    this.pipelines = pipelines;
    this.http1 = http1;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // A connection that sends nothing is cut like one that never completes a request head.
    long nanos = pipelines.server().snapshot().config().server().limits().requestHeaderTimeout().toNanos();
    deadline = ctx.executor().schedule(() -> {
      if (ctx.pipeline().context(this) != null) {
        ctx.close();
      }
    }, nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    deadline.cancel(false);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int seen = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean matches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), seen);
    if (matches && seen < PREFACE.readableBytes()) {
      return; // too early to tell
    }
    if (matches) {
      pipelines.http2(ctx.pipeline());
    } else if (http1) {
      pipelines.http1(ctx.pipeline());
    } else {
      in.skipBytes(in.readableBytes());
      ctx.close(); // an h2c-only listener and a client that does not open with the HTTP/2 preface
      return;
    }
    ctx.pipeline().remove(this); // hands what was read to the codec just installed
  }
}
