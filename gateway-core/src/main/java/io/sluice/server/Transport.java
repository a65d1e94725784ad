package io.sluice.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket implementation: native epoll where it loads, NIO otherwise. Client and server
 * channels always come from the same transport, so upstream connections can share the
 * inbound connection's event loop.
 */
public record Transport(
    String name,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelType,
    Class<? extends Channel> socketChannelType) {

  /** Epoll when the native library is available (and not disabled with {@code -Dsluice.transport=nio}). */
  public static Transport best() {
    if (!"nio".equals(System.getProperty("sluice.transport")) && Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }
    return nio();
  }

  public static Transport nio() {
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** A group of {@code threads} event loops ({@code 0}: one per available core). */
  public EventLoopGroup newGroup(int threads, String threadNamePrefix) {
    int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    return new MultiThreadIoEventLoopGroup(count, new DefaultThreadFactory(threadNamePrefix, true), ioHandlerFactory);
  }
}
