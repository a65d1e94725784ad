package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP decoder and tells the connection when bytes of a new request start to
 * arrive, which is when the request-header deadline starts and the keep-alive timer stops.
 */
final class RequestStartDetector extends ChannelInboundHandlerAdapter {

  private final Http1Connection connection;

  RequestStartDetector(Http1Connection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
      connection.onBytes();
    }
    ctx.fireChannelRead(msg);
  }
}
