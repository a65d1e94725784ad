package io.sluice.cli;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.server.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small upstream for first runs ({@code sluice demo}): answers every request with a JSON
 * description of what it received, so a newcomer can see what the gateway added (request id,
 * forwarding headers, rewritten path).
 */
final class DemoUpstream implements AutoCloseable {

  private final EventLoopGroup group;
  private final Channel channel;

  private DemoUpstream(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  static DemoUpstream start(String host, int port) throws InterruptedException {
    Transport transport = Transport.best();
    EventLoopGroup group = transport.newGroup(1, "sluice-demo");
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(transport.serverChannelType())
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024 * 1024), new Echo());
            }
          })
          .bind(host, port).sync().channel();
      return new DemoUpstream(group, channel);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      StringBuilder json = new StringBuilder("{\n  \"service\": \"sluice-demo-upstream\",\n");
      json.append("  \"method\": ").append(quote(request.method().name())).append(",\n");
      json.append("  \"path\": ").append(quote(request.uri())).append(",\n");
      json.append("  \"body_bytes\": ").append(request.content().readableBytes()).append(",\n");
      json.append("  \"headers\": {");
      String separator = "\n";
      for (Map.Entry<String, String> header : request.headers()) {
        json.append(separator).append("    ").append(quote(header.getKey().toLowerCase(java.util.Locale.ROOT)))
            .append(": ").append(quote(header.getValue()));
        separator = ",\n";
      }
      json.append("\n  }\n}\n");
      ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      var future = ctx.writeAndFlush(response);
      if (!keepAlive) {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static String quote(String value) {
      return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }
}
