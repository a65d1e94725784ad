package io.sluice.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.sluice.config.Endpoint;
import java.util.function.Consumer;

/** Opens TCP connections to endpoints, with TLS in front for {@code https://} ones; shared by both pools. */
final class UpstreamConnector {

  /**
   * Ends a connection whose pipeline has no handler of its own yet to hear of an error (a TLS
   * handshake that failed is reported through its future; the exception itself is not news).
   */
  static final ChannelHandler CLOSE_ON_ERROR = new CloseOnError();

  private UpstreamConnector() {}

  /**
   * Connects to {@code endpoint} from {@code loop} within the connect timeout of {@code settings}.
   * The pipeline starts with TLS for {@code https://} endpoints; {@code handlers} adds the rest
   * once the channel is registered.
   */
  static ChannelFuture connect(EventLoop loop, Class<? extends Channel> channelType, UpstreamPool.Settings settings,
      Endpoint endpoint, Consumer<ChannelPipeline> handlers) {
    return new Bootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            addTls(ch, endpoint, settings);
            handlers.accept(ch.pipeline());
          }
        })
        .connect(endpoint.host(), endpoint.port());
  }

  /**
   * Puts TLS first in {@code channel}'s pipeline when the endpoint is {@code https://}. The server
   * name (SNI, and the name the certificate must carry) is the configured one or the endpoint's host.
   */
  private static void addTls(Channel channel, Endpoint endpoint, UpstreamPool.Settings settings) {
    if (!endpoint.isTls() || settings.tls() == null) {
      return;
    }
    String serverName = settings.serverName() != null ? settings.serverName() : endpoint.host();
    SslHandler handler = settings.tls().newHandler(channel.alloc(), serverName, endpoint.port());
    handler.setHandshakeTimeoutMillis(settings.connectTimeout().toMillis());
    channel.pipeline().addLast("tls", handler);
  }

  /**
   * Calls {@code outcome} once the connection is usable: connected and, with TLS, the handshake
   * done. It gets {@code null} then, or the failure (a {@link UpstreamFailure.Kind#CONNECT}).
   */
  static void whenReady(ChannelFuture connect, Endpoint endpoint, Consumer<UpstreamFailure> outcome) {
    connect.addListener(done -> {
      if (!done.isSuccess()) {
        outcome.accept(failure("connect to " + endpoint + " failed: " + reason(done.cause())));
        return;
      }
      SslHandler tls = connect.channel().pipeline().get(SslHandler.class);
      if (tls == null) {
        outcome.accept(null);
        return;
      }
      tls.handshakeFuture().addListener(handshake -> outcome.accept(handshake.isSuccess() ? null
          : failure("TLS handshake with " + endpoint + " failed: " + reason(handshake.cause()))));
    });
  }

  /**
   * Why the TLS connection {@code channel} cannot carry HTTP/2: the upstream did not choose h2 with
   * ALPN (speaking HTTP/2 to an HTTP/1.1 server would be garbage); {@code null} when it did.
   */
  static UpstreamFailure http2Refused(Channel channel, Endpoint endpoint) {
    String chosen = channel.pipeline().get(SslHandler.class).applicationProtocol();
    return ApplicationProtocolNames.HTTP_2.equals(chosen) ? null
        : failure(endpoint + " did not agree to HTTP/2 with ALPN (it chose " + (chosen == null ? "nothing" : chosen) + ")");
  }

  static UpstreamFailure failure(String detail) {
    return new UpstreamFailure(UpstreamFailure.Kind.CONNECT, detail, false);
  }

  private static String reason(Throwable cause) {
    return cause == null ? "cancelled" : cause.getMessage();
  }

  @ChannelHandler.Sharable
  private static final class CloseOnError extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
