package io.sluice.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.resolver.dns.UnixResolverDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sluice.config.DnsConfig;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Resolves upstream host names without blocking: Netty's DNS resolver, with a cache that keeps
 * each answer for its TTL (bounded by {@code min_ttl} and {@code max_ttl}) and each failure for
 * {@code negative_ttl}. Names in {@code /etc/hosts} ({@code localhost}) are answered from that
 * file. The name servers, search domains and hosts file are read once, at startup.
 *
 * <p>Any event loop may ask: a cached answer completes the caller's future at once, on the
 * caller's thread; a query goes out on the resolver's own event loop (one NIO thread, so the UDP
 * sockets stay off the native transports, whose datagram support this gateway does not need for
 * the few queries it makes) and its answer completes the future on the caller's loop.
 */
public final class HostResolver implements AutoCloseable {

  private static final String RESOLV_CONF = "/etc/resolv.conf";

  private final EventLoopGroup queryLoop;
  private final DnsNameResolver names;

  private HostResolver(EventLoopGroup queryLoop, DnsNameResolver names) {
    this.queryLoop = queryLoop;
    this.names = names;
  }

  /**
   * A resolver with its own query thread, created now (on the calling thread, so that reading
   * {@code /etc/resolv.conf} and {@code /etc/hosts} never happens on an event loop).
   */
  public static HostResolver create(DnsConfig config) {
    EventLoopGroup queryLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sluice-dns", true),
        NioIoHandler.newFactory());
    DnsNameResolver names = new DnsNameResolverBuilder(queryLoop.next())
        .datagramChannelType(NioDatagramChannel.class)
        .socketChannelType(NioSocketChannel.class) // for answers too large for a datagram
        .nameServerProvider(nameServers(config))
        .queryTimeoutMillis(config.queryTimeout().toMillis())
        .resolveCache(new DefaultDnsCache(seconds(config.minTtl(), false), seconds(config.maxTtl(), true),
            seconds(config.negativeTtl(), true)))
        .build();
    return new HostResolver(queryLoop, names);
  }

  /**
   * The configured servers, else those of {@code /etc/resolv.conf}, read now: Netty's platform
   * default would read the file again every few minutes on whichever thread asks, an event loop.
   */
  private static DnsServerAddressStreamProvider nameServers(DnsConfig config) {
    if (!config.nameServers().isEmpty()) {
      return new SequentialDnsServerAddressStreamProvider(config.nameServers());
    }
    try {
      return new UnixResolverDnsServerAddressStreamProvider(new File(RESOLV_CONF));
    } catch (IOException e) {
      return DefaultDnsServerAddressStreamProvider.INSTANCE; // no resolv.conf: what the JDK knows of, or public resolvers
    }
  }

  private static int seconds(java.time.Duration duration, boolean roundUp) {
    long millis = duration.toMillis();
    long seconds = roundUp ? (millis + 999) / 1000 : millis / 1000;
    return (int) Math.min(Integer.MAX_VALUE, seconds);
  }

  /**
   * Every address of {@code host}, with {@code port}. The future belongs to {@code loop}: its
   * listeners run there, at once when the answer is cached.
   */
  Future<List<InetSocketAddress>> resolveAll(EventLoop loop, String host, int port) {
    Promise<List<InetSocketAddress>> result = loop.newPromise();
    names.resolveAll(host, loop.<List<InetAddress>>newPromise()).addListener((Future<List<InetAddress>> answer) -> {
      if (answer.isSuccess()) {
        List<InetSocketAddress> withPort = new ArrayList<>(answer.getNow().size());
        for (InetAddress address : answer.getNow()) {
          withPort.add(new InetSocketAddress(address, port));
        }
        result.setSuccess(withPort);
      } else {
        result.setFailure(answer.cause());
      }
    });
    return result;
  }

  /** Closes the resolver, its sockets and its thread; lookups fail from then on. */
  @Override
  public void close() {
    names.close();
    queryLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
