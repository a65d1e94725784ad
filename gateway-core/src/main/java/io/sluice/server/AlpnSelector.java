package io.sluice.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * After the TLS handshake, installs HTTP/2 or HTTP/1.1 as ALPN decided. A client that
 * negotiated nothing speaks HTTP/1.1 (every HTTP/2 client uses ALPN), if the listener has it.
 */
final class AlpnSelector extends ApplicationProtocolNegotiationHandler {

  private final ClientPipelines pipelines;
  private final boolean http1;

  AlpnSelector(ClientPipelines pipelines, boolean http1) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.pipelines = pipelines;
    this.http1 = http1;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      pipelines.http2(ctx.pipeline());
    } else if (http1) {
      pipelines.http1(ctx.pipeline());
    } else {
      ctx.close(); // an h2-only listener and a client that cannot speak it
    }
  }

  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    String peer = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress address
        ? address.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    pipelines.tls().handshakeFailed(peer, cause);
    ctx.close();
  }
}
