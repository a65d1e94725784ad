package io.sluice.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.config.ListenerConfig;

/**
 * The channel-handler side of a client protocol whose exchanges own their channel (HTTP/1.1): it is
 * the last handler of the pipeline, hands what it reads to its {@link ExchangeDriver}, and reads,
 * pauses and closes its channel for the exchange. (An HTTP/2 stream has no channel of its own:
 * {@link Http2ClientStream}.)
 */
abstract class ClientProtocolHandler extends ChannelDuplexHandler implements ClientProtocol {

  protected final ExchangeDriver driver;
  protected ChannelHandlerContext ctx;

  ClientProtocolHandler(ServerState server, TlsContexts tls, ListenerConfig.UnderscoreHeaders underscores, String listener) {
    this.driver = new ExchangeDriver(server, this, tls, underscores, listener);
  }

  @Override
  public Channel channel() {
    return ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    driver.read(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    driver.readComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    driver.writabilityChanged(context.channel().isWritable());
    context.fireChannelWritabilityChanged();
  }

  @Override
  public boolean inReadBurst() {
    return driver.inReadBurst();
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void setReading(boolean reading) {
    ctx.channel().config().setAutoRead(reading);
  }

  @Override
  public void resumeReading() {
    ctx.channel().config().setAutoRead(true);
    ctx.read();
  }

  @Override
  public void writeContinue() {
    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
  }

  @Override
  public void close() {
    ctx.close();
  }
}
