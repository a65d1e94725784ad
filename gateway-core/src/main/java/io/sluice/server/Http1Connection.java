package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.grpc.GrpcWeb;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.proxy.ClientHeaders;
import io.sluice.proxy.ClientStream;
import io.sluice.proxy.ConnectionInfo;
import io.sluice.plugin.PluginChain;
import io.sluice.plugin.RequestChainRun;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.ForwardedClients;
import io.sluice.config.TracingConfig;
import io.sluice.tracing.TraceContext;
import io.sluice.eventloop.LazyTimer;
import io.sluice.proxy.ResponseView;
import io.sluice.spi.DirectResponse;
import io.sluice.proxy.Exchange;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.proxy.ProxyExchange;
import io.sluice.proxy.ProxyHeaders;
import io.sluice.proxy.RequestHead;
import io.sluice.proxy.RequestIds;
import io.sluice.routing.RouteMatchResult;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 client connection: reads requests one at a time (pipelined ones wait their
 * turn), routes them, and is the {@link ClientStream} of the exchange in progress. It owns the
 * connection's timers: the request-header deadline, the keep-alive idle timeout and the write
 * timeout for clients that stop reading.
 *
 * <p>In stream mode it serves one HTTP/2 stream instead, behind Netty's frame-to-HTTP-object
 * codec on the stream's child channel: one request, no keep-alive or pipelining, the stream ends
 * (or is reset) with the exchange, and connection timers are the {@link Http2Session}'s business.
 */
final class Http1Connection extends ChannelDuplexHandler implements ClientStream {

  private static final System.Logger LOG = System.getLogger(Http1Connection.class.getName());
  private static final int MAX_LOGGED_TARGET = 512;

  private final ServerState server;
  private final String scheme;
  /** The listener's TLS, or {@code null} on a plain-text listener. */
  private final TlsContexts tls;
  /** Serving one HTTP/2 stream (see the class comment) rather than an HTTP/1.1 connection. */
  private final boolean http2Stream;
  /** The listener's {@code headers_with_underscores}. */
  private final ListenerConfig.UnderscoreHeaders underscores;
  /** The listener's name, for the access log. */
  private final String listener;
  private ChannelHandlerContext ctx;
  private ConnectionInfo info;

  private boolean inExchange;
  private boolean requestComplete;
  private boolean discardingBody;
  private boolean closing;
  private boolean closeAfterResponse;
  private boolean requestKeepAlive;
  private boolean headRequest;
  private boolean grpcRequest;
  /** The request's content type when it is gRPC-Web, whose callers expect errors in their own content type. */
  private String grpcWebContentType;
  private HttpVersion requestVersion = HttpVersion.HTTP_1_1;
  /** The snapshot the current exchange started with: its request trailers follow the same rules as its headers. */
  private GatewaySnapshot exchangeSnapshot;
  private ProxyExchange proxy;
  private Exchange current;
  private PluginChain chain = PluginChain.EMPTY;
  private ExchangeView view;
  private RequestChainRun chainRun;
  private boolean chainPending;
  private ArrayDeque<Object> pipelined;
  private boolean awaitingFirstByte = true;
  /** Whether a response went out and the connection was kept alive for another request. */
  private boolean keptAlive;
  private boolean replaying;
  /** Between a read's first message and its channelReadComplete. */
  private boolean inReadBurst;
  /**
   * The request-header deadline, or between requests the keep-alive idle timeout: one at a time,
   * armed and cleared per request, so one lazily re-scheduled timer serves both.
   */
  private LazyTimer requestTimer;
  private boolean awaitingHeader;
  private final Runnable headerTimeout = this::onHeaderTimeout;
  private final Runnable idleTimeout = () -> ctx.close();
  private ScheduledFuture<?> writeTimer;
  /**
   * Stream mode: a response head not written yet. It goes out with the first body bytes or flush;
   * a response that ends right after its head leaves as one HEADERS frame with END_STREAM, which
   * is how a gRPC trailers-only answer (an error) must look.
   */
  private HttpResponse pendingHead;
  /** Stream mode: the write that ends the response; the stream is closed once it is out. */
  private ChannelFuture lastWrite;

  Http1Connection(ServerState server, TlsContexts tls, boolean http2Stream, ListenerConfig.UnderscoreHeaders underscores,
      String listener) {
    this.server = server;
    this.listener = listener;
    this.tls = tls;
    this.http2Stream = http2Stream;
    this.underscores = underscores;
    this.scheme = tls == null ? "http" : "https";
  }

  @Override
  public Channel channel() {
    return ctx.channel();
  }

  // ---- connection lifecycle ----

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (context.channel().isActive()) {
      start(context); // added once ALPN or the preface decided the protocol: the channel is already active
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    if (!inExchange) {
      // the connection upgraded to HTTP/2 (h2c): its timers are no longer ours
      cancelTimers();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    start(context);
    context.fireChannelActive();
  }

  private void start(ChannelHandlerContext context) {
    if (info != null) {
      return;
    }
    GatewaySnapshot snapshot = server.snapshot();
    if (context.channel().remoteAddress() instanceof InetSocketAddress peer
        && context.channel().localAddress() instanceof InetSocketAddress local) {
      info = new ConnectionInfo(peer.getAddress().getHostAddress(), snapshot.isTrustedProxy(peer.getAddress()),
          scheme, local.getPort());
    } else {
      info = new ConnectionInfo("0.0.0.0", false, scheme, 0); // an in-memory channel (benchmarks)
    }
    Channel connection = http2Stream ? context.channel().parent() : context.channel();
    SslHandler ssl = tls == null ? null : connection.pipeline().get(SslHandler.class);
    if (ssl != null && ssl.handshakeFuture().isSuccess()) {
      // the handshake finished before this handler was added (ALPN, or an HTTP/2 stream)
      TlsContexts.clientCertificate(ssl).ifPresent(cert -> info = info.withClientCertificate(cert));
    }
    if (http2Stream) {
      return; // the stream exists because its request head arrived; the connection is the session's
    }
    server.clientConnections().add(context.channel());
    // A connection that never sends a complete request head is cut like a slow one.
    armHeaderTimer();
  }

  /** Called by {@link RequestStartDetector} for every read before decoding. */
  void onBytes() {
    if (awaitingFirstByte) {
      awaitingFirstByte = false;
      if (!awaitingHeader) {
        armHeaderTimer();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    closing = true;
    cancelTimers();
    if (pipelined != null) {
      pipelined.forEach(ReferenceCountUtil::release);
      pipelined.clear();
    }
    if (proxy != null) {
      proxy.onClientClosed();
    } else if (chainPending) {
      chainRun.cancel();
      chainPending = false;
      current.aborted("client_closed");
      current.status(499);
      completed(current);
      inExchange = false;
      exchangeSnapshot.exchangeEnded();
      exchangeSnapshot = null;
    }
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    if (http2Stream && (cause instanceof Http2FrameStreamException || cause instanceof Http2Exception)) {
      // the codec resets the stream with the error code that names the violation, and counts and logs it
      // (Http2ClientCodec); the stream multiplexer hands the stream's channel the unwrapped Http2Exception
      return;
    }
    if (tls != null && TlsContexts.isTlsFailure(cause)) {
      context.close(); // counted and logged with the handshake completion event, or a broken TLS record: the client's doing
      return;
    }
    if (!(cause instanceof IOException)) {
      LOG.log(System.Logger.Level.WARNING, "client connection " + info + " failed", cause);
    }
    context.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event == GatewayServer.DRAIN) {
      // Only a kept-alive connection with no byte of a next request is closed: its client knows
      // such a connection may close at any time. A new connection's client has its first request
      // on the way and no reason to expect a close; that request is served with Connection: close.
      if (!inExchange && keptAlive && awaitingFirstByte) {
        context.close();
      }
      return;
    }
    if (event instanceof SslHandshakeCompletionEvent handshake && tls != null) {
      if (handshake.isSuccess()) {
        SslHandler ssl = context.pipeline().get(SslHandler.class);
        if (ssl != null) {
          TlsContexts.clientCertificate(ssl).ifPresent(cert -> info = info.withClientCertificate(cert));
        }
      } else {
        tls.handshakeFailed(info.peerIp(), handshake.cause());
      }
    }
    context.fireUserEventTriggered(event);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    boolean writable = context.channel().isWritable();
    if (writable) {
      cancel(writeTimer);
      writeTimer = null;
    } else if (writeTimer == null) {
      writeTimer = schedule(() -> {
        if (proxy != null) {
          proxy.onClientClosed();
        }
        cut();
      }, limits().writeTimeout());
    }
    if (proxy != null) {
      proxy.onClientWritabilityChanged(writable);
    }
    context.fireChannelWritabilityChanged();
  }

  // ---- reading ----

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    inReadBurst = true;
    if (closing) {
      ReferenceCountUtil.release(msg);
    } else if (mustQueue(msg)) {
      if (pipelined == null) {
        pipelined = new ArrayDeque<>();
      }
      pipelined.add(msg);
      context.channel().config().setAutoRead(false);
    } else {
      handle(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    inReadBurst = false;
    if (proxy != null) {
      proxy.onClientReadComplete();
    }
    context.flush();
  }

  /**
   * A pipelined request waits until the exchange before it is done; so does everything after
   * it. The rest of the current request (its body, or the empty end of a bodyless one) never waits.
   */
  private boolean mustQueue(Object msg) {
    return pipelined != null && !pipelined.isEmpty() || inExchange && msg instanceof HttpRequest || chainPending;
  }

  private void handle(Object msg) {
    if (msg instanceof HttpRequest request) {
      onRequest(request);
    }
    if (msg instanceof HttpContent content) {
      onContent(content);
    }
  }

  private void onContent(HttpContent content) {
    if (!inExchange || requestComplete) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (content.decoderResult().isFailure()) {
      content.release();
      GatewayError error = Http1Requests.bodyDecoderError(content.decoderResult().cause(), limits());
      closeAfterResponse = true;
      if (proxy != null) {
        proxy.onRequestFailed(error);
      } else {
        closing = true;
        ctx.close();
      }
      return;
    }
    if (last) {
      requestComplete = true;
    }
    if (proxy == null) {
      content.release();
      if (last && discardingBody) {
        discardingBody = false;
      }
      return;
    }
    ByteBuf data = content.content();
    if (data.isReadable()) {
      proxy.onRequestBody(data);
    } else {
      data.release();
    }
    if (last && proxy != null) {
      HttpHeaders trailers = ((LastHttpContent) content).trailingHeaders();
      GatewayError refused = trailers.isEmpty() ? null : screen(trailers, exchangeSnapshot, false);
      if (refused != null) {
        closeAfterResponse = true;
        proxy.onRequestFailed(refused);
        return;
      }
      proxy.onRequestEnd(trailers);
    }
  }

  private void onRequest(HttpRequest request) {
    awaitingHeader = false;
    if (requestTimer != null) {
      requestTimer.disarm();
    }
    GatewaySnapshot snapshot = server.startExchange();
    exchangeSnapshot = snapshot;
    LimitsConfig limits = snapshot.config().server().limits();
    inExchange = true;
    requestComplete = false;
    closeAfterResponse = false;
    requestVersion = request.protocolVersion();
    headRequest = HttpMethod.HEAD.equals(request.method());
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    grpcRequest = contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
    grpcWebContentType = grpcRequest && GrpcWeb.isGrpcWeb(contentType) ? contentType : null;
    requestKeepAlive = HttpUtil.isKeepAlive(request);
    if (http2Stream) {
      // what the frame codec adds to carry HTTP/2 pseudo-headers; :authority became Host
      request.headers().remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
      request.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
    }
    String requestId = RequestIds.of(request.headers(), info.trustedPeer());
    String target = request.uri();
    Exchange exchange = new Exchange(requestId, info.peerIp(), request.method().name(),
        target.length() > MAX_LOGGED_TARGET ? target.substring(0, MAX_LOGGED_TARGET) + "..." : target);
    exchange.arrivedOn(listener, protocol(request.protocolVersion()));
    current = exchange;
    chain = PluginChain.EMPTY;
    view = null;
    chainRun = null;

    Http1Requests.Outcome outcome = Http1Requests.read(request, scheme, limits);
    if (outcome instanceof Http1Requests.Rejected rejected) {
      // The request's framing or target cannot be trusted: answer and close, forward nothing.
      closeAfterResponse = true;
      if (request.protocolVersion().majorVersion() != 1 || request.protocolVersion().minorVersion() > 1) {
        requestVersion = HttpVersion.HTTP_1_1;
      }
      answerError(exchange, rejected.error(), false);
      return;
    }
    RequestHead head = ((Http1Requests.Accepted) outcome).head();
    requestComplete = !head.hasBody();
    TracingConfig tracing = snapshot.config().server().tracing();
    exchange.head(head.host(), ForwardedClients.clientIp(info.peerIp(), info.trustedPeer(), head.headers(),
            snapshot.config().server().trustedProxies()),
        tracing.propagate() ? TraceContext.of(head.headers(), tracing.sampled()) : null, snapshot.secretQueryParameters());
    GatewayError headerRefusal = screen(head.headers(), snapshot, http2Stream);
    if (headerRefusal != null) {
      answerError(exchange, headerRefusal, false);
      return;
    }
    RouteMatchResult match = snapshot.routes().match(new RequestMatchInput(head));
    switch (match) {
      case RouteMatchResult.NoRoute noRoute -> answerError(exchange, GatewayError.of(ErrorCode.NO_ROUTE,
          "No route matches " + head.method().name() + " " + head.path()), true);
      case RouteMatchResult.MethodNotAllowed notAllowed -> answerError(exchange, GatewayError.of(
              ErrorCode.METHOD_NOT_ALLOWED, "Method " + head.method().name() + " is not allowed for " + head.path())
          .withHeader("Allow", String.join(", ", notAllowed.allowedMethods())), true);
      case RouteMatchResult.MatrixParametersRefused matrix -> {
        exchange.route(matrix.route().id());
        answerError(exchange, GatewayError.of(ErrorCode.BAD_REQUEST, matrix.reason())
            .withDetails("matrix_parameters.refused"), true);
      }
      case RouteMatchResult.Matched matched -> serve(exchange, head, matched, snapshot, limits);
    }
  }

  /** The protocol the access log names: gRPC and gRPC-Web by the request's content type, otherwise the HTTP version. */
  private String protocol(HttpVersion version) {
    if (grpcWebContentType != null) {
      return "gRPC-Web";
    }
    if (grpcRequest) {
      return "gRPC";
    }
    return http2Stream ? "HTTP/2" : version.text();
  }

  /** The rules for what a client sent (see {@link ClientHeaders}), before routing and plugins. */
  private GatewayError screen(HttpHeaders headers, GatewaySnapshot snapshot, boolean joinedCookies) {
    return ClientHeaders.screen(headers, underscores, snapshot.config().server().limits().maxHeaderFieldBytes(),
        snapshot.strippedRequestHeaders(), joinedCookies);
  }

  private void serve(Exchange exchange, RequestHead head, RouteMatchResult.Matched matched,
      GatewaySnapshot snapshot, LimitsConfig limits) {
    RouteConfig route = matched.route().config();
    exchange.route(route.id());
    if (head.contentLength() > route.maxBodyBytes()) {
      closeAfterResponse = true;
      answerError(exchange, GatewayError.of(ErrorCode.PAYLOAD_TOO_LARGE,
          "Request body of " + head.contentLength() + " bytes exceeds the limit of " + route.maxBodyBytes() + " bytes"), false);
      return;
    }
    chain = snapshot.plugins().forRoute(route.id());
    if (chain.isEmpty()) {
      dispatch(exchange, head, matched, snapshot, limits);
      return;
    }
    view = new ExchangeView(head, exchange.requestId(), route.id(), matched.params(), info.peerIp(), info.clientCertificate(),
        info.trustedPeer(), snapshot.config().server().trustedProxies());
    chainRun = new RequestChainRun(chain, view, ctx.channel().eventLoop(), new RequestChainRun.Continuation() {
      @Override
      public void proceed() {
        afterChain(() -> dispatch(exchange, head, matched, snapshot, limits));
      }

      @Override
      public void reply(GatewayError error) {
        afterChain(() -> answerError(exchange, error, true));
      }

      @Override
      public void respond(DirectResponse response) {
        afterChain(() -> answerPlugin(exchange, response));
      }
    });
    exchange.plugins(view, chainRun);
    if (!chainRun.start()) {
      // A plugin decides asynchronously: hold whatever else of the request arrives meanwhile.
      chainPending = true;
      ctx.channel().config().setAutoRead(false);
    }
  }

  /** Continues after the request chain; when it was suspended, replays what arrived meanwhile. */
  private void afterChain(Runnable next) {
    boolean wasPending = chainPending;
    chainPending = false;
    try {
      next.run();
    } catch (RequestChainRun.AnswerNotMade e) {
      chainPending = wasPending; // nothing was sent: the chain answers again, and that answer replays
      throw e;
    }
    if (wasPending) {
      replayQueued();
      if (!closing && !mustQueue(null) && (proxy == null || !proxy.isReadingPaused())) {
        ctx.channel().config().setAutoRead(true);
        ctx.read();
      }
    }
  }

  private void dispatch(Exchange exchange, RequestHead head, RouteMatchResult.Matched matched,
      GatewaySnapshot snapshot, LimitsConfig limits) {
    RouteConfig route = matched.route().config();
    switch (route.action()) {
      case RouteAction.Respond respond -> answerDirect(exchange, route, respond);
      case RouteAction.Forward forward -> {
        if (head.hasBody() && HttpUtil.is100ContinueExpected(request(head))) {
          ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
              Unpooled.EMPTY_BUFFER));
        }
        String upstreamPath = matched.route().upstreamPath(head.path(), head.matrixPath(), matched.params());
        String pathAndQuery = head.rawQuery() == null ? upstreamPath : upstreamPath + '?' + head.rawQuery();
        proxy = new ProxyExchange(this, exchange, head, route, snapshot.upstream(forward.upstream()), info,
            server.pools(ctx.channel().eventLoop()), pathAndQuery, limits, server.accessLog(), server.requestMetrics(),
            chain, view);
        proxy.start();
      }
    }
  }

  private static HttpRequest request(RequestHead head) {
    return new io.netty.handler.codec.http.DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.path(), head.headers());
  }

  // ---- answers the gateway gives itself ----

  private void answerDirect(Exchange exchange, RouteConfig route, RouteAction.Respond respond) {
    FullHttpResponse response = LocalResponses.of(respond.status(), respond.headers(), respond.body(), exchange.requestId());
    ProxyHeaders.apply(route.responseHeaders(), response.headers());
    exchange.status(respond.status());
    finishLocally(exchange, response);
  }

  private void answerPlugin(Exchange exchange, DirectResponse answer) {
    // made before anything changes: if it cannot be made, the chain answers PLUGIN_ERROR instead
    FullHttpResponse response;
    try {
      response = LocalResponses.of(answer.status(), answer.headers(), answer.body(), exchange.requestId());
    } catch (RuntimeException e) {
      throw new RequestChainRun.AnswerNotMade(e);
    }
    exchange.status(answer.status());
    finishLocally(exchange, response);
  }

  /** Answers with an error; {@code keepConnection} when the request could be read to its end safely. */
  private void answerError(Exchange exchange, GatewayError error, boolean keepConnection) {
    FullHttpResponse response; // first, like answerPlugin's
    try {
      response = errorResponse(error, exchange.requestId());
    } catch (RuntimeException e) {
      throw new RequestChainRun.AnswerNotMade(e);
    }
    if (!keepConnection) {
      closeAfterResponse = true;
    }
    exchange.error(error);
    finishLocally(exchange, response);
  }

  private void finishLocally(Exchange exchange, FullHttpResponse response) {
    if (!requestComplete) {
      // Rather than read a body nobody wants, close once the answer is out.
      closeAfterResponse = true;
    }
    prepareConnectionHeader(response.headers());
    runResponseHooks(response);
    exchange.addResponseBytes(response.content().readableBytes());
    lastWrite = ctx.writeAndFlush(response);
    completed(exchange);
    exchangeDone(requestComplete);
  }

  /** Lets the route's plugins see a response the gateway generated (to add CORS headers to an error, say). */
  private void runResponseHooks(FullHttpResponse response) {
    if (view != null) {
      chain.onResponse(view, new ResponseView(response.status().code(), response.headers(), true));
    }
  }

  /** The end of an exchange the gateway answered itself: completion hooks, then the access log. */
  private void completed(Exchange exchange) {
    if (view != null) {
      chain.onComplete(view, exchange.outcome());
    }
    server.accessLog().log(exchange);
    exchange.countIn(server.requestMetrics());
  }

  /** An error as this request's caller understands it: a gRPC status for gRPC, our JSON otherwise. */
  private FullHttpResponse errorResponse(GatewayError error, String requestId) {
    if (!grpcRequest) {
      return LocalResponses.error(error, requestId);
    }
    FullHttpResponse response = LocalResponses.grpcError(error, requestId);
    if (grpcWebContentType != null) {
      // trailers-only, which gRPC-Web allows too, in the caller's own content type
      response.headers().set(HttpHeaderNames.CONTENT_TYPE,
          GrpcWeb.toGrpcWeb(null, GrpcWeb.isText(grpcWebContentType), GrpcWeb.codec(grpcWebContentType)));
    }
    return response;
  }

  private void prepareConnectionHeader(HttpHeaders headers) {
    if (http2Stream) {
      return; // HTTP/2 has no connection-specific headers; the stream ends with the exchange
    }
    if (!requestKeepAlive || server.isDraining()) {
      closeAfterResponse = true;
    }
    if (closeAfterResponse) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (requestVersion.minorVersion() == 0) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  // ---- ClientStream ----

  @Override
  public void writeHead(HttpResponseStatus status, HttpHeaders headers) {
    boolean noBody = headRequest || status.codeClass() == HttpStatusClass.INFORMATIONAL
        || status.code() == 204 || status.code() == 304;
    if (!noBody && !http2Stream && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (requestVersion.minorVersion() >= 1) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeAfterResponse = true; // HTTP/1.0 without a length: the body ends when the connection does
      }
    }
    prepareConnectionHeader(headers);
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers);
    if (http2Stream) {
      pendingHead = head;
    } else {
      ctx.write(head, ctx.voidPromise());
    }
  }

  private void writePendingHead() {
    if (pendingHead != null) {
      ctx.write(pendingHead, ctx.voidPromise());
      pendingHead = null;
    }
  }

  @Override
  public void writeBody(ByteBuf content) {
    writePendingHead();
    ctx.write(new DefaultHttpContent(content), ctx.voidPromise());
  }

  @Override
  public void writeEnd(HttpHeaders trailers) {
    LastHttpContent last = trailers.isEmpty()
        ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
    if (http2Stream) {
      if (pendingHead != null && trailers.isEmpty()) {
        lastWrite = ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, pendingHead.status(), Unpooled.EMPTY_BUFFER,
            pendingHead.headers(), EmptyHttpHeaders.INSTANCE));
        pendingHead = null;
        return;
      }
      writePendingHead();
      lastWrite = ctx.write(last);
    } else {
      ctx.write(last, ctx.voidPromise());
    }
  }

  @Override
  public void flush() {
    writePendingHead();
    ctx.flush();
  }

  @Override
  public void writeError(GatewayError error, String requestId, boolean requestFullyRead) {
    FullHttpResponse response = errorResponse(error, requestId);
    if (!requestComplete || !requestFullyRead) {
      closeAfterResponse = true;
    }
    prepareConnectionHeader(response.headers());
    runResponseHooks(response);
    lastWrite = ctx.writeAndFlush(response);
  }

  @Override
  public void abort() {
    cut();
  }

  /** Ends the connection, or resets the stream, so the client sees the response as incomplete. */
  private void cut() {
    closing = true;
    pendingHead = null;
    if (http2Stream && ctx.channel().isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
    }
    ctx.close();
  }

  @Override
  public boolean inReadBurst() {
    return inReadBurst;
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void setReading(boolean reading) {
    ctx.channel().config().setAutoRead(reading);
  }

  @Override
  public void exchangeDone(boolean requestFullyRead) {
    proxy = null;
    exchangeSnapshot.exchangeEnded();
    exchangeSnapshot = null;
    inExchange = false;
    if (http2Stream) {
      // The response ended the stream. If the request body is still coming, closing resets the
      // stream (CANCEL), which tells the client to stop sending it; only once the response is
      // out, because a reset drops what flow control still holds back.
      closing = true;
      ctx.flush();
      if (lastWrite == null || lastWrite.isDone()) {
        ctx.close();
      } else {
        lastWrite.addListener(written -> ctx.close());
      }
      return;
    }
    if (!requestFullyRead || !requestComplete || closeAfterResponse || server.isDraining()) {
      closing = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    awaitingFirstByte = true;
    keptAlive = true;
    requestTimer.arm(limits().keepAliveTimeout().toNanos(), idleTimeout);
    if (replaying) {
      return; // the replay loop below, further up the stack, goes on with the next request
    }
    replayQueued();
    if (!closing && (pipelined == null || pipelined.isEmpty())) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  /** Handles queued messages until one must wait again (a request head while an exchange runs). */
  private void replayQueued() {
    replaying = true;
    while (pipelined != null && !pipelined.isEmpty() && !closing && !chainPending
        && !(inExchange && pipelined.peek() instanceof HttpRequest)) {
      Object next = pipelined.poll();
      if (next instanceof HttpRequest) {
        onBytes();
      }
      handle(next);
    }
    replaying = false;
  }

  // ---- timers ----

  private void onHeaderTimeout() {
    awaitingHeader = false;
    if (inExchange || closing) {
      return;
    }
    if (awaitingFirstByte) {
      ctx.close();
      return;
    }
    Exchange exchange = new Exchange(RequestIds.next(), info.peerIp(), "-", "-");
    exchange.arrivedOn(listener, http2Stream ? "HTTP/2" : "HTTP/1.1");
    grpcRequest = false;
    grpcWebContentType = null;
    exchangeSnapshot = server.startExchange();
    inExchange = true;
    requestComplete = false;
    closeAfterResponse = true;
    answerError(exchange, GatewayError.of(ErrorCode.REQUEST_TIMEOUT,
        "Request header was not received within " + limits().requestHeaderTimeout().toMillis() + "ms"), false);
  }

  private LimitsConfig limits() {
    return server.snapshot().config().server().limits();
  }

  private void armHeaderTimer() {
    if (requestTimer == null) {
      requestTimer = new LazyTimer(ctx.executor());
    }
    awaitingHeader = true;
    requestTimer.arm(limits().requestHeaderTimeout().toNanos(), headerTimeout);
  }

  private void cancelTimers() {
    if (requestTimer != null) {
      requestTimer.cancel();
    }
    cancel(writeTimer);
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return ctx.channel().eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
