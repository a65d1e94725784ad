package io.sluice.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.sluice.config.Endpoint;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * Opens connections to endpoints, for both pools and the health probes: resolves a host name with
 * the gateway's {@link HostResolver} (never blocking the loop), connects to its addresses in turn
 * until one accepts, and puts TLS in front for {@code https://} endpoints.
 */
public final class UpstreamConnector {

  /**
   * Ends a connection whose pipeline has no handler of its own yet to hear of an error (a TLS
   * handshake that failed is reported through its future; the exception itself is not news).
   */
  static final ChannelHandler CLOSE_ON_ERROR = new CloseOnError();

  /** A connection's pipeline stays empty until it is connected: only then does it get its handlers. */
  private static final ChannelHandler NO_HANDLERS = new ChannelInitializer<>() {
    @Override
    protected void initChannel(Channel ch) {}
  };

  /** Told once whether a connection became usable; not after {@link Dial#cancel}. */
  interface Ready {
    /**
     * @param channel the connection, connected and (with TLS) past its handshake; {@code null} on failure
     * @param failure {@code null} on success, else why not ({@link UpstreamFailure.Kind#RESOLVE} or {@code CONNECT})
     */
    void ready(Channel channel, UpstreamFailure failure);
  }

  private final Class<? extends Channel> channelType;
  private final HostResolver resolver;

  /**
   * @param channelType the socket channel of the event loops' transport
   * @param resolver resolves host names on the loops; {@code null} where only IP endpoints are
   *     served (an in-memory connection), names then fail to resolve
   */
  public UpstreamConnector(Class<? extends Channel> channelType, HostResolver resolver) {
    this.channelType = channelType;
    this.resolver = resolver;
  }

  /** Whether {@code endpoint} names its host (resolved with DNS) rather than giving an IP address. */
  static boolean isHostName(Endpoint endpoint) {
    return !NetUtil.isValidIpV4Address(endpoint.host()) && !NetUtil.isValidIpV6Address(endpoint.host());
  }

  /**
   * The addresses of {@code endpoint}, on {@code loop}: its IP address, or what DNS answers for its
   * name (from the cache while the answer's TTL lasts, so mostly at once).
   */
  Future<List<InetSocketAddress>> resolve(EventLoop loop, Endpoint endpoint) {
    if (!isHostName(endpoint)) {
      return loop.newSucceededFuture(
          List.of(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(endpoint.host()), endpoint.port())));
    }
    if (resolver == null) {
      return loop.newFailedFuture(new IllegalStateException("this connection has no DNS resolver"));
    }
    return resolver.resolveAll(loop, endpoint.host(), endpoint.port());
  }

  /**
   * A connection to {@code endpoint} from {@code loop}, opened by {@link Dial#start}. Once connected,
   * its pipeline gets TLS first for {@code https://} endpoints, then what {@code handlers} adds;
   * {@code ready} hears when it is usable. The connect timeout of {@code settings} bounds the
   * connects to all addresses together, and the TLS handshake.
   */
  Dial dial(EventLoop loop, UpstreamPool.Settings settings, Endpoint endpoint, Consumer<ChannelPipeline> handlers,
      Ready ready) {
    return new Dial(loop, settings, endpoint, handlers, ready);
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

  /**
   * One connection being opened: the endpoint's addresses are tried one after the other, starting
   * at a different one for each connection so that connections spread over all of them, and an
   * address that refuses (or does not answer in time) is skipped for the next. Confined to its loop.
   */
  final class Dial {
    private final EventLoop loop;
    private final UpstreamPool.Settings settings;
    private final Endpoint endpoint;
    private final Consumer<ChannelPipeline> handlers;
    private final Ready ready;
    private List<InetSocketAddress> addresses;
    private int first;
    private int tried;
    private long startNanos;
    private long deadlineNanos;
    private Channel channel;
    private boolean over;

    private Dial(EventLoop loop, UpstreamPool.Settings settings, Endpoint endpoint, Consumer<ChannelPipeline> handlers,
        Ready ready) {
      this.loop = loop;
      this.settings = settings;
      this.endpoint = endpoint;
      this.handlers = handlers;
      this.ready = ready;
    }

    /**
     * Resolves the endpoint and connects, starting with the address at {@code first} (modulo
     * their number); {@code answered}, unless {@code null}, is given the addresses DNS answered.
     */
    void start(int first, Consumer<List<InetSocketAddress>> answered) {
      this.first = first;
      this.startNanos = System.nanoTime();
      this.deadlineNanos = startNanos + settings.connectTimeout().toNanos();
      resolve(loop, endpoint).addListener(resolved -> {
        if (over) {
          return;
        }
        if (!resolved.isSuccess()) {
          end(null, new UpstreamFailure(UpstreamFailure.Kind.RESOLVE,
              "resolving " + endpoint.host() + " failed: " + reason(resolved.cause()), false));
          return;
        }
        @SuppressWarnings("unchecked")
        List<InetSocketAddress> found = (List<InetSocketAddress>) resolved.getNow();
        if (found.isEmpty()) {
          end(null, new UpstreamFailure(UpstreamFailure.Kind.RESOLVE, "resolving " + endpoint.host() + " gave no address", false));
          return;
        }
        addresses = found;
        if (answered != null) {
          answered.accept(found);
        }
        attempt();
      });
    }

    /** Gives up: no callback follows, and the connection (if one is open or opening) is closed. */
    void cancel() {
      over = true;
      if (channel != null) {
        channel.close();
      }
    }

    private void attempt() {
      InetSocketAddress address = addresses.get(Math.floorMod(first + tried, addresses.size()));
      tried++;
      long remainingMillis = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
      ChannelFuture connect = new Bootstrap()
          .group(loop)
          .channel(channelType)
          .disableResolver() // the address is resolved already; the default resolver would look it up blocking
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, remainingMillis))
          .handler(NO_HANDLERS)
          .connect(address);
      channel = connect.channel();
      connect.addListener(done -> {
        if (over) {
          return;
        }
        if (!done.isSuccess()) {
          channel.close();
          if (tried < addresses.size() && deadlineNanos - System.nanoTime() > 0) {
            attempt(); // this address refuses: the next may not
            return;
          }
          end(null, failure("connect to " + endpoint + " failed: " + reason(done.cause())
              + (addresses.size() > 1 || isHostName(endpoint) ? " (tried " + tried(addresses) + ")" : "")));
          return;
        }
        connected();
      });
    }

    private String tried(List<InetSocketAddress> all) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < tried; i++) {
        InetSocketAddress address = all.get(Math.floorMod(first + i, all.size()));
        out.append(i == 0 ? "" : ", ").append(NetUtil.toSocketAddressString(address));
      }
      return out.toString();
    }

    /** TCP is up: TLS and the caller's handlers go in now; usable once the handshake is done. */
    private void connected() {
      SslHandler tls = addTls(channel);
      handlers.accept(channel.pipeline());
      if (tls == null) {
        end(channel, null);
        return;
      }
      tls.handshakeFuture().addListener(handshake -> {
        if (over) {
          return;
        }
        if (handshake.isSuccess()) {
          end(channel, null);
        } else {
          channel.close();
          end(null, failure("TLS handshake with " + endpoint + " failed: " + reason(handshake.cause())));
        }
      });
    }

    /**
     * Puts TLS first in the pipeline when the endpoint is {@code https://}. The server name (SNI,
     * and the name the certificate must carry) is the configured one or the endpoint's host.
     */
    private SslHandler addTls(Channel ch) {
      if (!endpoint.isTls() || settings.tls() == null) {
        return null;
      }
      String serverName = settings.serverName() != null ? settings.serverName() : endpoint.host();
      SslHandler handler = settings.tls().newHandler(ch.alloc(), serverName, endpoint.port());
      handler.setHandshakeTimeoutMillis(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
      ch.pipeline().addFirst("tls", handler);
      return handler;
    }

    private void end(Channel usable, UpstreamFailure failure) {
      over = true;
      if (usable != null) {
        settings.connectTimes().accept(System.nanoTime() - startNanos);
      }
      ready.ready(usable, failure);
    }
  }

  @ChannelHandler.Sharable
  private static final class CloseOnError extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
