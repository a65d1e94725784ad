package io.sluice.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.sluice.config.AdminConfig;
import io.sluice.server.ConfigReloads;
import io.sluice.server.GatewayServer;
import io.sluice.server.Transport;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener: its own port and its own event loop, so that neither a busy gateway nor a
 * slow admin client holds the other up. The data listeners never serve any admin path.
 */
public final class AdminServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());
  /** Admin requests are small: an explain request is the largest. */
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final EventLoopGroup group;
  private final Channel channel;

  private AdminServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /**
   * Binds the admin listener of {@code config} for {@code gateway}.
   *
   * @param reloads where the config file is reloaded and the last result kept; {@code null} when
   *     the gateway was not started from a file (then reload answers 409)
   * @throws IllegalStateException when the port cannot be bound
   */
  public static AdminServer start(AdminConfig config, GatewayServer gateway, ConfigReloads reloads)
      throws InterruptedException {
    if (config.token() == null && !config.loopback()) {
      // the config reader refuses this too; a second check where the socket is opened
      throw new IllegalStateException("the admin listener may bind to " + config.bind() + " only with a token");
    }
    Transport transport = Transport.nio();
    EventLoopGroup group = transport.newGroup(1, "sluice-admin");
    AdminApi api = new AdminApi(gateway, reloads, config.token());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannelType())
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel child) {
            child.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES), new AdminHandler(api));
          }
        });
    ChannelFuture bound = bootstrap.bind(config.bind(), config.port()).await();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException("the admin listener cannot listen on " + config.bind() + ":" + config.port() + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    gateway.exposeGcMeters(); // GET /metrics reads them from now on
    InetSocketAddress address = (InetSocketAddress) bound.channel().localAddress();
    LOG.log(System.Logger.Level.INFO, "admin listener on {0}:{1,number,#}{2}", address.getHostString(), address.getPort(),
        config.token() == null ? "" : " (bearer token required)");
    return new AdminServer(group, bound.channel());
  }

  /** The port it is bound to. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
