package io.sluice.websocket;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import io.sluice.config.RouteConfig;
import io.sluice.config.WebSocketConfig;
import io.sluice.metrics.ConnectionMetrics;
import io.sluice.metrics.RequestMetrics;
import io.sluice.plugin.PluginChain;
import io.sluice.proxy.AccessLog;
import io.sluice.proxy.ConnectionInfo;
import io.sluice.proxy.Exchange;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.ProxyHeaders;
import io.sluice.proxy.RequestHead;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.upstream.UpstreamCluster;
import io.sluice.upstream.UpstreamFailure;
import io.sluice.upstream.UpstreamPools;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Opens the upstream side of a WebSocket: a connection of its own (never pooled), the gateway's
 * own opening handshake over HTTP/1.1 with the client's subprotocol offer, and, when the upstream
 * switches, the {@code 101} to the client and a {@link WebSocketSession} between the two. Before
 * the switch every failure is an HTTP answer: 502 when the upstream cannot be reached or does
 * not switch, 504 when it does not answer in time. Extensions are never offered upstream (see
 * docs/websocket.md), so frames pass through unchanged.
 */
public final class WebSocketProxy {

  /** The largest upstream answer to the handshake read (a refusal's body is dropped anyway). */
  private static final int MAX_HANDSHAKE_RESPONSE_BYTES = 64 * 1024;

  private final UpgradingClient client;
  private final Exchange exchange;
  private final RequestHead head;
  private final RouteConfig route;
  private final WebSocketConfig websocket;
  private final UpstreamCluster cluster;
  private final ConnectionInfo connection;
  private final UpstreamPools pools;
  private final String pathAndQuery;
  private final AccessLog accessLog;
  private final RequestMetrics requestMetrics;
  private final ConnectionMetrics connectionMetrics;
  private final PluginChain chain;
  private final ExchangeView view;
  private final String key = WebSocketHandshake.newKey();
  private Runnable cancelDial;
  private Channel upstream;
  private ScheduledFuture<?> responseTimer;
  private boolean over;

  public WebSocketProxy(UpgradingClient client, Exchange exchange, RequestHead head, RouteConfig route,
      UpstreamCluster cluster, ConnectionInfo connection, UpstreamPools pools, String pathAndQuery, AccessLog accessLog,
      RequestMetrics requestMetrics, ConnectionMetrics connectionMetrics, PluginChain chain, ExchangeView view) {
    this.client = client;
    this.exchange = exchange;
    this.head = head;
    this.route = route;
    this.websocket = route.websocket();
    this.cluster = cluster;
    this.connection = connection;
    this.pools = pools;
    this.pathAndQuery = pathAndQuery;
    this.accessLog = accessLog;
    this.requestMetrics = requestMetrics;
    this.connectionMetrics = connectionMetrics;
    this.chain = chain;
    this.view = view;
  }

  /** Connects upstream; the client is not read until the upgrade is decided. */
  public void start() {
    client.channel().config().setAutoRead(false);
    Endpoint endpoint = io.sluice.proxy.HashKeys.pickEndpoint(cluster, pools, head, exchange.clientIp());
    exchange.upstream(endpoint.authority());
    exchange.upstreamName(cluster.name());
    cancelDial = pools.connectDedicated(endpoint, cluster, pipeline -> pipeline
            .addLast("http", new HttpClientCodec())
            .addLast("aggregate", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES))
            .addLast("handshake", new Handshake()),
        (channel, failure) -> connected(endpoint, channel, failure));
  }

  /** The client went away before the upgrade was decided: nothing more happens upstream. */
  public void cancel() {
    if (over) {
      return;
    }
    over = true;
    cancelTimer();
    cancelDial.run();
    if (upstream != null) {
      upstream.close();
    }
  }

  private void connected(Endpoint endpoint, Channel channel, UpstreamFailure failure) {
    if (over) {
      if (channel != null) {
        channel.close();
      }
      return;
    }
    if (failure != null) {
      refuse(GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE, "Upstream '" + cluster.name() + "' is unavailable")
          .withDetails(failure.detail()));
      return;
    }
    upstream = channel;
    HttpHeaders headers = ProxyHeaders.forUpstream(head, connection, exchange.requestId(), route.requestHeaders());
    if (exchange.trace() != null) {
      exchange.trace().applyTo(headers);
    }
    if (!headers.contains(HttpHeaderNames.HOST)) {
      headers.set(HttpHeaderNames.HOST, endpoint.authority());
    }
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    // Extensions change the frames (permessage-deflate compresses them, with RSV1 set): never negotiated
    headers.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    headers.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key);
    headers.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    channel.writeAndFlush(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, pathAndQuery,
        Unpooled.EMPTY_BUFFER, headers, io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
    Duration timeout = cluster.config().timeouts().response();
    responseTimer = channel.eventLoop().schedule(() -> refuse(GatewayError.of(ErrorCode.UPSTREAM_TIMEOUT,
        "Upstream '" + cluster.name() + "' did not answer the WebSocket upgrade within " + timeout.toMillis() + "ms")),
        timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void refuse(GatewayError error) {
    if (over) {
      return;
    }
    over = true;
    cancelTimer();
    if (upstream != null) {
      upstream.close();
    }
    client.refuse(error);
  }

  private void cancelTimer() {
    if (responseTimer != null) {
      responseTimer.cancel(false);
    }
  }

  private GatewayError notSwitched(String why) {
    return GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE, "Upstream '" + cluster.name() + "' did not accept the WebSocket")
        .withDetails("websocket.upstream_refused " + why);
  }

  /** Why the upstream's answer does not complete the handshake, or {@code null} when it does. */
  private String mismatch(FullHttpResponse response) {
    HttpHeaders headers = response.headers();
    if (!HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
      return "status=" + response.status().code();
    }
    if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return "upgrade=" + headers.get(HttpHeaderNames.UPGRADE);
    }
    if (!WebSocketHandshake.accept(key).equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT))) {
      return "sec-websocket-accept does not match the key";
    }
    if (headers.contains(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS)) {
      return "extensions were not offered: " + headers.get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    }
    String protocol = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (protocol != null && !WebSocketHandshake.offered(head.headers(), protocol)) {
      return "subprotocol was not offered: " + protocol;
    }
    return null;
  }

  private void switched(ChannelHandlerContext ctx, FullHttpResponse response) {
    over = true;
    cancelTimer();
    exchange.upstreamResponded();
    String protocol = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL); // the route's header rules must not drop it
    HttpHeaders headers = ProxyHeaders.forClient(response.headers(), exchange.requestId(), route.responseHeaders());
    headers.remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    headers.set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, WebSocketHandshake.accept(head.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY)));
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    if (protocol != null) {
      headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, protocol);
    }

    WebSocketSession session = new WebSocketSession(client, upstream, exchange, route.id(), websocket, accessLog,
        connectionMetrics, chain, view);
    // Upstream: frames from now on, as Netty's own client handshaker does it. The HTTP encoder goes
    // at once (frames may be written before this read ends); the decoder passes on any bytes after
    // the 101 (frames the upstream sent at once) when it is removed, on the next turn of the loop.
    ChannelPipeline pipeline = ctx.pipeline();
    HttpClientCodec codec = pipeline.get(HttpClientCodec.class);
    codec.removeOutboundHandler();
    pipeline.remove("aggregate");
    pipeline.addAfter("http", "ws-encoder", new WebSocket08FrameEncoder(true));
    pipeline.addAfter("ws-encoder", "ws-decoder", new WebSocket08FrameDecoder(decoderConfig(false)));
    pipeline.replace(ctx.name(), "ws-upstream", session.upstreamSide());
    ctx.channel().eventLoop().execute(() -> {
      if (pipeline.context(codec) != null) {
        pipeline.remove(codec);
      }
    });

    exchange.status(101);
    exchange.arrivedOn(exchange.listener(), "WebSocket");
    exchange.countIn(requestMetrics); // the upgrade as a request; the connection's life is in the access log
    client.switchProtocols(headers, new WebSocket08FrameEncoder(false), new WebSocket08FrameDecoder(decoderConfig(true)),
        session.clientSide());
    session.start();
  }

  /** Frames from clients are masked, frames from upstreams are not; no extensions, so RSV bits are errors. */
  private WebSocketDecoderConfig decoderConfig(boolean fromClient) {
    return WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(fromClient)
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .maxFramePayloadLength((int) Math.min(Integer.MAX_VALUE, websocket.maxMessageBytes()))
        .closeOnProtocolViolation(true)
        .build();
  }

  /** Reads the upstream's answer to the opening handshake. */
  private final class Handshake extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (over || !(msg instanceof FullHttpResponse response)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        String mismatch = mismatch(response);
        if (mismatch != null) {
          refuse(notSwitched(mismatch));
          return;
        }
        switched(ctx, response);
      } finally {
        response.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      refuse(notSwitched("closed the connection before answering"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      refuse(notSwitched("invalid answer: " + cause.getMessage()));
    }
  }
}
