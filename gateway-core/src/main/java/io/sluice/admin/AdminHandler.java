package io.sluice.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Hands each admin request to {@link AdminApi} and writes its answer, possibly from another thread. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final AdminApi api;

  AdminHandler(AdminApi api) {
    this.api = api;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String body = request.content().toString(StandardCharsets.UTF_8);
    api.handle(request.method().name(), request.uri(), request.headers().get(HttpHeaderNames.AUTHORIZATION), body)
        .whenComplete((answer, failure) -> {
          AdminApi.Answer out = failure == null ? answer : AdminApi.Answer.error(500, "ADMIN_ERROR", String.valueOf(failure));
          FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(out.status()), Unpooled.wrappedBuffer(out.body()));
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, out.contentType());
          response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, out.body().length);
          response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
          out.headers().forEach(response.headers()::set);
          if (!keepAlive) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
          } else {
            ctx.writeAndFlush(response);
          }
        });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
