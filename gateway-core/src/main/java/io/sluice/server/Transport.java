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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.config.ServerConfig.IoTransport;

/**
 * The socket implementation. Client and server channels always come from the same transport, so
 * upstream connections can share the inbound connection's event loop.
 *
 * <p>{@code auto} takes io_uring where the kernel allows it, then epoll, then NIO. io_uring comes
 * first because a proxy makes four socket calls per request (read and write on each side): io_uring
 * submits them in batches with one system call per event-loop turn, where epoll makes one each. On
 * the end-to-end benchmark that cut the CPU per request by 10-25%, more where system calls are dearer
 * (docs/benchmarks.md).
 * Containers often forbid io_uring (Docker's default seccomp profile does); {@code auto} then
 * falls back without a word beyond the transport's name in the startup log.
 */
public record Transport(
    String name,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelType,
    Class<? extends Channel> socketChannelType) {

  /**
   * The transport {@code choice} names; for {@code auto} the best one available.
   *
   * @throws IllegalStateException when {@code choice} names a transport this machine cannot run,
   *     with the reason the native library gave
   */
  public static Transport select(IoTransport choice) {
    return switch (choice) {
      case AUTO -> IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
      case IO_URING -> {
        requireAvailable("io_uring", IoUring.isAvailable(), IoUring.unavailabilityCause());
        yield ioUring();
      }
      case EPOLL -> {
        requireAvailable("epoll", Epoll.isAvailable(), Epoll.unavailabilityCause());
        yield epoll();
      }
      case NIO -> nio();
    };
  }

  /** The best transport available, as {@code server.transport: auto} would choose. */
  public static Transport best() {
    return select(IoTransport.AUTO);
  }

  public static Transport nio() {
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  private static Transport ioUring() {
    return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, IoUringSocketChannel.class);
  }

  private static Transport epoll() {
    return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
  }

  private static void requireAvailable(String name, boolean available, Throwable cause) {
    if (!available) {
      throw new IllegalStateException("server.transport is " + name + ", which this machine cannot run ("
          + (cause == null ? "unknown reason" : cause.getMessage())
          + "); use auto to fall back to what it can run", cause);
    }
  }

  /** A group of {@code threads} event loops ({@code 0}: one per available core). */
  public EventLoopGroup newGroup(int threads, String threadNamePrefix) {
    int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    return new MultiThreadIoEventLoopGroup(count, new DefaultThreadFactory(threadNamePrefix, true), ioHandlerFactory);
  }
}
