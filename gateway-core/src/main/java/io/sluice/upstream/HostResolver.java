package io.sluice.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.resolver.dns.UnixResolverDnsServerAddressStreamProvider;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.config.DnsConfig;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves upstream host names without blocking: Netty's DNS resolver, one per event loop of the
 * gateway's group (its queries run on the loop that asks, as its connections do), all sharing one
 * cache that keeps each answer for its TTL (bounded by {@code min_ttl} and {@code max_ttl}) and each
 * failure for {@code negative_ttl}. Names in {@code /etc/hosts} ({@code localhost}) are answered
 * from that file. The name servers, search domains and hosts file are read once, at startup.
 */
public final class HostResolver implements AutoCloseable {

  private static final String RESOLV_CONF = "/etc/resolv.conf";

  private final DnsAddressResolverGroup group;
  /** Built before the loops serve traffic and never changed: read without a lock from any loop. */
  private final Map<EventExecutor, AddressResolver<InetSocketAddress>> byLoop;

  private HostResolver(DnsAddressResolverGroup group, Map<EventExecutor, AddressResolver<InetSocketAddress>> byLoop) {
    this.group = group;
    this.byLoop = byLoop;
  }

  /**
   * A resolver for each loop of {@code loops}, created now (on the calling thread, so that reading
   * {@code /etc/resolv.conf} and {@code /etc/hosts} never happens on an event loop).
   */
  public static HostResolver create(EventLoopGroup loops, Class<? extends DatagramChannel> datagramType,
      Class<? extends SocketChannel> tcpType, DnsConfig config) {
    DnsNameResolverBuilder builder = new DnsNameResolverBuilder()
        .datagramChannelType(datagramType)
        .socketChannelType(tcpType) // for answers too large for a datagram
        .nameServerProvider(nameServers(config))
        .queryTimeoutMillis(config.queryTimeout().toMillis())
        .resolveCache(new DefaultDnsCache(seconds(config.minTtl(), false), seconds(config.maxTtl(), true),
            seconds(config.negativeTtl(), true)));
    DnsAddressResolverGroup group = new DnsAddressResolverGroup(builder);
    Map<EventExecutor, AddressResolver<InetSocketAddress>> byLoop = new IdentityHashMap<>();
    for (EventExecutor loop : loops) {
      byLoop.put(loop, group.getResolver(loop));
    }
    return new HostResolver(group, byLoop);
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
   * Every address of {@code host}, with {@code port}: on {@code loop}, which must be one of the
   * group's; the future completes there, at once when the answer is cached.
   */
  io.netty.util.concurrent.Future<List<InetSocketAddress>> resolveAll(EventLoop loop, String host, int port) {
    AddressResolver<InetSocketAddress> resolver = byLoop.get(loop);
    if (resolver == null) {
      return loop.newFailedFuture(new IllegalStateException("no DNS resolver for event loop " + loop));
    }
    return resolver.resolveAll(InetSocketAddress.createUnresolved(host, port));
  }

  /** Closes the resolvers and their sockets; lookups fail from then on. */
  @Override
  public void close() {
    group.close();
  }
}
