package io.sluice.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.util.AsciiString;
import java.util.Collection;

/**
 * Lets the first request of a clear-text HTTP/1.1 connection switch it to HTTP/2 with
 * {@code Upgrade: h2c} (RFC 7540 section 3.2). Netty's upgrade handler buffers the request it
 * upgrades, so it is only put in the pipeline for a request that asks to upgrade; every other
 * connection pays one header lookup, once, and this gate is gone after the first request.
 */
final class H2cUpgradeGate extends ChannelInboundHandlerAdapter {

  /** The largest body an upgrade request may carry (it is buffered, then replayed as stream 1). */
  private static final int MAX_UPGRADE_BODY_BYTES = 64 * 1024;

  private final ClientPipelines pipelines;
  private final HttpServerCodec codec;

  H2cUpgradeGate(ClientPipelines pipelines, HttpServerCodec codec) {
    this.pipelines = pipelines;
    this.codec = codec;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      if (asksForH2c(request.headers())) {
        ctx.pipeline().addAfter(ctx.name(), "h2c-upgrading", new HttpServerUpgradeHandler(codec,
            protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                ? new ToHttp2(pipelines) : null,
            MAX_UPGRADE_BODY_BYTES));
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean asksForH2c(HttpHeaders headers) {
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    return upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("h2c");
  }

  /** Netty's HTTP/2 upgrade, which also retires the HTTP/1.1 handlers that come after it. */
  private static final class ToHttp2 implements HttpServerUpgradeHandler.UpgradeCodec {

    private final ClientPipelines pipelines;
    private final Http2Session session;
    private final Http2ServerUpgradeCodec delegate;

    ToHttp2(ClientPipelines pipelines) {
      this.pipelines = pipelines;
      this.session = new Http2Session(pipelines.server());
      this.delegate = new Http2ServerUpgradeCodec((String) null, pipelines.codec(session), session);
    }

    @Override
    public Collection<CharSequence> requiredUpgradeHeaders() {
      return delegate.requiredUpgradeHeaders();
    }

    @Override
    public boolean prepareUpgradeResponse(ChannelHandlerContext ctx, FullHttpRequest upgradeRequest, HttpHeaders upgradeHeaders) {
      return delegate.prepareUpgradeResponse(ctx, upgradeRequest, upgradeHeaders);
    }

    @Override
    public void upgradeTo(ChannelHandlerContext ctx, FullHttpRequest upgradeRequest) {
      ctx.pipeline().remove("request-start");
      ctx.pipeline().remove("connection");
      pipelines.http2Started(ctx.channel());
      delegate.upgradeTo(ctx, upgradeRequest);
    }
  }
}
