package io.sluice.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real DNS server on 127.0.0.1 (UDP) for tests, whose answers the test sets: {@link #answer}
 * gives a name its IPv4 addresses and TTL. A name it has no answer for gets NXDOMAIN; AAAA
 * questions for a known name get an empty answer (the name has IPv4 addresses only). It counts the
 * A questions asked per name, so a test can tell whether the gateway asked or used its cache.
 */
public final class TestDnsServer implements AutoCloseable {

  private record Answer(List<String> addresses, int ttlSeconds) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();

  public TestDnsServer() throws InterruptedException {
    channel = new Bootstrap()
        .group(group)
        .channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Responder());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  /** Where to send queries: the {@code server.dns.name_servers} entry. */
  public String address() {
    return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** From now on, {@code name} has the IPv4 {@code addresses}, valid for {@code ttlSeconds}. */
  public void answer(String name, int ttlSeconds, String... addresses) {
    answers.put(key(name), new Answer(List.of(addresses), ttlSeconds));
  }

  /** A questions asked for {@code name} so far. */
  public int queries(String name) {
    AtomicInteger count = queries.get(key(name));
    return count == null ? 0 : count.get();
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      String name = key(question.name());
      if (question.type() == DnsRecordType.A) {
        queries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      }
      DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.setRecursionAvailable(true);
      response.addRecord(DnsSection.QUESTION, question);
      Answer answer = answers.get(name);
      if (answer == null) {
        response.setCode(DnsResponseCode.NXDOMAIN);
      } else if (question.type() == DnsRecordType.A) {
        for (String address : answer.addresses()) {
          response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, answer.ttlSeconds(),
              Unpooled.wrappedBuffer(NetUtil.createByteArrayFromIpAddressString(address))));
        }
      }
      ctx.writeAndFlush(response);
    }
  }
}
