package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.TracingConfig;
import io.sluice.grpc.GrpcWeb;
import io.sluice.plugin.PluginChain;
import io.sluice.plugin.PluginSlot;
import io.sluice.plugin.RequestChainRun;
import io.sluice.proxy.AccessLog;
import io.sluice.proxy.ClientHeaders;
import io.sluice.proxy.ConnectionInfo;
import io.sluice.proxy.Exchange;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.ForwardedClients;
import io.sluice.proxy.GatewaySnapshot;
import io.sluice.proxy.ProxyExchange;
import io.sluice.proxy.ProxyHeaders;
import io.sluice.proxy.RequestHead;
import io.sluice.proxy.RequestIds;
import io.sluice.proxy.ResponseView;
import io.sluice.routing.RouteMatchResult;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.tracing.TraceContext;
import io.sluice.websocket.UpgradingClient;
import io.sluice.websocket.WebSocketHandshake;
import io.sluice.websocket.WebSocketProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The protocol-neutral side of a client's exchanges, one driver per HTTP/1.1 connection or
 * HTTP/2 stream: turns decoded request objects into an {@link Exchange}, routes it, runs the
 * route's plugin chain, and either answers it here (direct routes, plugin answers, errors) or
 * hands it to a {@link ProxyExchange}; an exchange answered here is completed here (plugin
 * completion hooks, access log, metrics). Framing, keep-alive and connection timers belong to
 * the {@link ClientProtocol} it serves.
 *
 * <p>Messages that arrive while they cannot be handled (a pipelined request during an exchange,
 * anything while a plugin decides asynchronously) are held, with reading paused, and replayed.
 */
final class ExchangeDriver implements UpgradingClient {

  private static final System.Logger LOG = System.getLogger(ExchangeDriver.class.getName());
  private static final int MAX_LOGGED_TARGET = 512;

  private final ServerState server;
  private final ClientProtocol protocol;
  private final String scheme;
  /** The listener's TLS, or {@code null} on a plain-text listener. */
  private final TlsContexts tls;
  /** The listener's {@code headers_with_underscores}. */
  private final ListenerConfig.UnderscoreHeaders underscores;
  /** The listener's name, for the access log. */
  private final String listener;
  private ConnectionInfo info;

  private boolean inExchange;
  private boolean requestComplete;
  private boolean closing;
  private boolean grpcRequest;
  /** The request's content type when it is gRPC-Web, whose callers expect errors in their own content type. */
  private String grpcWebContentType;
  /** The snapshot the current exchange started with: its request trailers follow the same rules as its headers. */
  private GatewaySnapshot exchangeSnapshot;
  private ProxyExchange proxy;
  /** A plugin's answer whose body is still arriving, or {@code null}. */
  private StreamedAnswer streaming;
  /** Whether the current request asks to become a WebSocket. */
  private boolean upgradeRequested;
  /** The WebSocket upgrade waiting for the upstream's answer, if one is. */
  private WebSocketProxy upgrading;
  private Exchange current;
  private PluginChain chain = PluginChain.EMPTY;
  private ExchangeView view;
  private RequestChainRun chainRun;
  private boolean chainPending;
  private ArrayDeque<Object> held;
  private boolean replaying;
  /** Between a read's first message and its channelReadComplete. */
  private boolean inReadBurst;
  private ScheduledFuture<?> writeTimer;

  ExchangeDriver(ServerState server, ClientProtocol protocol, TlsContexts tls,
      ListenerConfig.UnderscoreHeaders underscores, String listener) {
    this.server = server;
    this.protocol = protocol;
    this.tls = tls;
    this.underscores = underscores;
    this.listener = listener;
    this.scheme = tls == null ? "http" : "https";
  }

  /**
   * Learns who the client is from {@code connection}, the channel that carries the client's
   * connection (and its TLS session). Returns false when already started.
   */
  boolean start(Channel connection) {
    if (info != null) {
      return false;
    }
    GatewaySnapshot snapshot = server.snapshot();
    if (connection.remoteAddress() instanceof InetSocketAddress peer
        && connection.localAddress() instanceof InetSocketAddress local) {
      info = new ConnectionInfo(peer.getAddress().getHostAddress(), snapshot.isTrustedProxy(peer.getAddress()),
          scheme, local.getPort());
    } else {
      info = new ConnectionInfo("0.0.0.0", false, scheme, 0); // an in-memory channel (benchmarks)
    }
    SslHandler ssl = tls == null ? null : connection.pipeline().get(SslHandler.class);
    if (ssl != null && ssl.handshakeFuture().isSuccess()) {
      // the handshake finished before this handler was added (ALPN, or an HTTP/2 stream)
      clientCertificateFrom(ssl);
    }
    return true;
  }

  /** Starts with what an earlier exchange on the same connection learnt about the client (HTTP/2). */
  void start(ConnectionInfo known) {
    info = known;
  }

  /** The TLS handshake of this connection finished: the client certificate, if any, is now known. */
  void clientCertificateFrom(SslHandler ssl) {
    TlsContexts.clientCertificate(ssl).ifPresent(cert -> info = info.withClientCertificate(cert));
  }

  ConnectionInfo info() {
    return info;
  }

  boolean inExchange() {
    return inExchange;
  }

  /** Whether the current (or last) request was read to its end. */
  boolean requestComplete() {
    return requestComplete;
  }

  boolean isClosing() {
    return closing;
  }

  /** Nothing more is read from the client: held and arriving messages are dropped. */
  void markClosing() {
    closing = true;
  }

  boolean inReadBurst() {
    return inReadBurst;
  }

  // ---- reading ----

  void read(Object msg) {
    inReadBurst = true;
    if (closing) {
      ReferenceCountUtil.release(msg);
    } else if (mustHold(msg)) {
      if (held == null) {
        held = new ArrayDeque<>();
      }
      held.add(msg);
      protocol.setReading(false);
    } else {
      handle(msg);
    }
  }

  void readComplete() {
    inReadBurst = false;
    if (proxy != null) {
      proxy.onClientReadComplete();
    }
    protocol.flush();
  }

  /**
   * A request head waits until the exchange before it is done; so does everything after it. The
   * rest of the current request (its body, or the empty end of a bodyless one) never waits.
   */
  private boolean mustHold(Object msg) {
    return held != null && !held.isEmpty() || inExchange && msg instanceof HttpRequest || chainPending;
  }

  private void handle(Object msg) {
    if (msg instanceof HttpRequest request) {
      onRequest(request);
    }
    if (msg instanceof HttpContent content) {
      onContent(content);
    }
  }

  /**
   * After an exchange ended with the client side kept: handles held messages until one must
   * wait again, then reads on if nothing is held.
   */
  void nextRequest() {
    if (replaying) {
      return; // the replay loop, further up the stack, goes on with the next request
    }
    replayHeld();
    if (!closing && (held == null || held.isEmpty())) {
      protocol.resumeReading();
    }
  }

  /** Handles held messages until one must wait again (a request head while an exchange runs). */
  private void replayHeld() {
    replaying = true;
    while (held != null && !held.isEmpty() && !closing && !chainPending
        && !(inExchange && held.peek() instanceof HttpRequest)) {
      handle(held.poll());
    }
    replaying = false;
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
      if (proxy != null) {
        proxy.onRequestFailed(error);
      } else {
        closing = true;
        protocol.close();
      }
      return;
    }
    if (last) {
      requestComplete = true;
    }
    if (proxy == null) {
      content.release();
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
        proxy.onRequestFailed(refused);
        return;
      }
      proxy.onRequestEnd(trailers);
    }
  }

  private void onRequest(HttpRequest request) {
    protocol.requestArrived(request);
    GatewaySnapshot snapshot = server.startExchange();
    exchangeSnapshot = snapshot;
    LimitsConfig limits = snapshot.config().server().limits();
    inExchange = true;
    requestComplete = false;
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    grpcRequest = contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
    grpcWebContentType = grpcRequest && GrpcWeb.isGrpcWeb(contentType) ? contentType : null;
    // before the header rules remove Upgrade and Connection, which are hop-by-hop
    upgradeRequested = protocol.acceptsUpgrade() && WebSocketHandshake.isRequested(request);
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
      answerError(exchange, rejected.error(), false);
      return;
    }
    RequestHead head = ((Http1Requests.Accepted) outcome).head();
    requestComplete = !head.hasBody();
    TracingConfig tracing = snapshot.config().server().tracing();
    exchange.head(head.host(), ForwardedClients.clientIp(info.peerIp(), info.trustedPeer(), head.headers(),
            snapshot.config().server().trustedProxies()),
        tracing.propagate() ? TraceContext.of(head.headers(), tracing.sampled()) : null, snapshot.secretQueryParameters());
    GatewayError headerRefusal = screen(head.headers(), snapshot, protocol.joinsCookies());
    if (headerRefusal != null) {
      answerError(exchange, headerRefusal, false);
      return;
    }
    GatewayError shed = server.shed(snapshot);
    if (shed != null) {
      answerError(exchange, shed, true); // a body it has is not read: the connection closes after the answer
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
      case RouteMatchResult.Matched matched -> serve(exchange, request, head, matched, snapshot, limits);
    }
  }

  /** The protocol the access log names: gRPC and gRPC-Web by the request's content type, otherwise the protocol's. */
  private String protocol(HttpVersion version) {
    if (grpcWebContentType != null) {
      return "gRPC-Web";
    }
    if (grpcRequest) {
      return "gRPC";
    }
    return protocol.protocolName(version);
  }

  /** The rules for what a client sent (see {@link ClientHeaders}), before routing and plugins. */
  private GatewayError screen(HttpHeaders headers, GatewaySnapshot snapshot, boolean joinedCookies) {
    return ClientHeaders.screen(headers, underscores, snapshot.config().server().limits().maxHeaderFieldBytes(),
        snapshot.strippedRequestHeaders(), joinedCookies);
  }

  private void serve(Exchange exchange, HttpRequest request, RequestHead head, RouteMatchResult.Matched matched,
      GatewaySnapshot snapshot, LimitsConfig limits) {
    RouteConfig route = matched.route().config();
    exchange.route(route.id());
    if (upgradeRequested || route.websocket() != null) {
      GatewayError refusal = WebSocketHandshake.refusal(route.id(), route.websocket(), upgradeRequested, request, head.headers());
      if (refusal == null) {
        refusal = WebSocketHandshake.originRefusal(WebSocketHandshake.allowedOrigins(route.websocket()), head.headers());
      }
      if (refusal != null) {
        answerError(exchange, refusal, true);
        return;
      }
    }
    if (head.contentLength() > route.maxBodyBytes()) {
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
    view.arrivedOn(exchange.startNanos(), exchange.listener(), exchange.protocol());
    view.runsOn(protocol.channel().eventLoop());
    chainRun = new RequestChainRun(chain, view, protocol.channel().eventLoop(), new RequestChainRun.Continuation() {
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

      @Override
      public void respondAndForward(DirectResponse response, PluginSlot plugin) {
        ExchangeView answered = view;
        afterChain(() -> {
          answerPlugin(exchange, response);
          if (!head.hasBody() && matched.route().config().action() instanceof RouteAction.Forward forward) {
            forwardInBackground(exchange, head, matched, snapshot, forward, plugin, answered);
          }
        });
      }
    });
    exchange.plugins(view, chainRun);
    if (!chainRun.start()) {
      // A plugin decides asynchronously: hold whatever else of the request arrives meanwhile.
      chainPending = true;
      protocol.setReading(false);
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
      replayHeld();
      if (!closing && !mustHold(null) && upgrading == null && (proxy == null || !proxy.isReadingPaused())) {
        protocol.resumeReading();
      }
    }
  }

  private void dispatch(Exchange exchange, RequestHead head, RouteMatchResult.Matched matched,
      GatewaySnapshot snapshot, LimitsConfig limits) {
    RouteConfig route = matched.route().config();
    switch (route.action()) {
      case RouteAction.Respond respond -> answerDirect(exchange, route, respond);
      case RouteAction.Forward forward when upgradeRequested -> {
        upgrading = new WebSocketProxy(this, exchange, head, route, snapshot.upstream(upstreamOf(matched, forward, head)), info,
            server.pools(protocol.channel().eventLoop()), upstreamTarget(matched, head),
            server.accessLog(), server.requestMetrics(), server.connectionMetrics(), chain, view);
        upgrading.start();
      }
      case RouteAction.Forward forward -> {
        if (head.hasBody() && HttpUtil.is100ContinueExpected(request(head))) {
          protocol.writeContinue();
        }
        String pathAndQuery = upstreamTarget(matched, head);
        proxy = new ProxyExchange(protocol, exchange, head, route, snapshot.upstream(upstreamOf(matched, forward, head)), info,
            server.pools(protocol.channel().eventLoop()), pathAndQuery, limits, server.accessLog(), server.requestMetrics(),
            chain, view);
        if (forward.mirror() != null) {
          String mirrorUpstream = forward.mirror().upstream();
          proxy.mirrorTo(snapshot.upstream(mirrorUpstream), forward.mirror(),
              result -> server.mirrorMetrics().count(route.id(), mirrorUpstream, result));
        }
        proxy.start();
      }
    }
  }

  /**
   * Sends the request upstream once more, after its client got an answer, for {@code plugin} alone
   * ({@code Decision.respondAndForward}): on this loop, to nobody ({@link BackgroundStream}), in
   * neither the access log nor the request metrics, and apart from this connection's state, so the
   * connection goes on with its next request meanwhile.
   */
  private void forwardInBackground(Exchange answered, RequestHead head, RouteMatchResult.Matched matched,
      GatewaySnapshot snapshot, RouteAction.Forward forward, PluginSlot plugin, ExchangeView pluginView) {
    RouteConfig route = matched.route().config();
    Exchange background = new Exchange(answered.requestId(), info.peerIp(), head.method().name(), answered.target());
    background.route(route.id());
    String pathAndQuery = upstreamTarget(matched, head);
    Channel channel = protocol.channel(); // the connection, which outlives an HTTP/2 stream
    new ProxyExchange(new BackgroundStream(channel), background, head, route, snapshot.upstream(upstreamOf(matched, forward, head)), info,
        server.pools(channel.eventLoop()), pathAndQuery, snapshot.config().server().limits(), AccessLog.disabled(),
        BackgroundStream.NO_METRICS, PluginChain.of(plugin), pluginView).start();
  }

  /** The path and query the upstream is asked for: the route's rewrite of the path, the query as it came. */
  private static String upstreamTarget(RouteMatchResult.Matched matched, RequestHead head) {
    String upstreamPath = matched.route().upstreamPath(head.path(), head.matrixPath(), matched.params());
    return head.rawQuery() == null ? upstreamPath : upstreamPath + '?' + head.rawQuery();
  }

  /** The route's upstream, or the one its split picks for this request. */
  private static String upstreamOf(RouteMatchResult.Matched matched, RouteAction.Forward forward, RequestHead head) {
    io.sluice.routing.UpstreamSplit split = matched.route().split();
    if (split == null) {
      return forward.upstream();
    }
    return split.pick(split.hasOverrides() ? new RequestMatchInput(head) : null);
  }

  private static HttpRequest request(RequestHead head) {
    return new io.netty.handler.codec.http.DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.path(), head.headers());
  }

  // ---- answers the gateway gives itself ----

  private void answerDirect(Exchange exchange, RouteConfig route, RouteAction.Respond respond) {
    FullHttpResponse response = LocalResponses.of(respond.status(), respond.headers(), respond.body(), exchange.requestId());
    ProxyHeaders.apply(route.responseHeaders(), response.headers());
    exchange.status(respond.status());
    finishLocally(exchange, response, true);
  }

  private void answerPlugin(Exchange exchange, DirectResponse answer) {
    if (answer.isStreamed()) {
      answerStreamed(exchange, answer);
      return;
    }
    // made before anything changes: if it cannot be made, the chain answers PLUGIN_ERROR instead
    FullHttpResponse response;
    try {
      response = LocalResponses.of(answer, exchange.requestId(), "HEAD".equals(exchange.method()));
    } catch (RuntimeException e) {
      throw new RequestChainRun.AnswerNotMade(e);
    }
    exchange.status(answer.status());
    finishLocally(exchange, response, true);
  }

  /**
   * A plugin's answer whose body arrives after the head: the head (seen by the response hooks)
   * goes out at once, then {@link StreamedAnswer} writes the body as it comes. An answer that has
   * no body after all (a {@code HEAD} request, a status without one) or that a hook replaced goes
   * out whole, and the plugin's body is never subscribed to.
   */
  private void answerStreamed(Exchange exchange, DirectResponse answer) {
    FullHttpResponse head;
    try {
      head = LocalResponses.streamedHead(answer, exchange.requestId());
    } catch (RuntimeException e) {
      throw new RequestChainRun.AnswerNotMade(e);
    }
    exchange.status(answer.status());
    protocol.prepareAnswer(head.headers(), requestComplete);
    FullHttpResponse response = runResponseHooks(head);
    int status = response.status().code();
    if (status != answer.status()) {
      exchange.status(status);
    }
    if (response != head || !ResponseView.mayHaveBody(status) || "HEAD".equals(exchange.method())) {
      exchange.addResponseBytes(response.content().readableBytes());
      protocol.writeAnswer(response);
      completed(exchange);
      protocol.exchangeDone(requestComplete);
      return;
    }
    protocol.writeHead(response.status(), response.headers());
    protocol.flush();
    StreamedAnswer body = new StreamedAnswer(protocol, exchange, protocol.channel().eventLoop(), answer.stream().length(),
        complete -> {
          streaming = null;
          completed(exchange);
          protocol.exchangeDone(complete && requestComplete);
        });
    streaming = body;
    body.start(answer.stream().source());
  }

  /** Answers with an error; {@code keepConnection} when the request could be read to its end safely. */
  private void answerError(Exchange exchange, GatewayError error, boolean keepConnection) {
    FullHttpResponse response; // first, like answerPlugin's
    try {
      response = errorResponse(error, exchange.requestId());
    } catch (RuntimeException e) {
      throw new RequestChainRun.AnswerNotMade(e);
    }
    exchange.error(error);
    finishLocally(exchange, response, keepConnection);
  }

  private void finishLocally(Exchange exchange, FullHttpResponse answer, boolean keepConnection) {
    // Rather than read a body nobody wants, close once the answer is out.
    protocol.prepareAnswer(answer.headers(), keepConnection && requestComplete);
    int status = answer.status().code();
    FullHttpResponse response = runResponseHooks(answer);
    if (response != answer || response.status().code() != status) { // a plugin replaced it, or changed its status
      exchange.status(response.status().code());
    }
    exchange.addResponseBytes(response.content().readableBytes());
    protocol.writeAnswer(response);
    completed(exchange);
    protocol.exchangeDone(requestComplete);
  }

  /**
   * An error for the exchange in progress, rendered for its caller and seen by the route's
   * response hooks: what {@link io.sluice.proxy.ClientStream#writeError} sends.
   */
  FullHttpResponse errorAnswer(GatewayError error, String requestId, boolean keepConnection) {
    FullHttpResponse response = errorResponse(error, requestId);
    protocol.prepareAnswer(response.headers(), keepConnection);
    int status = response.status().code();
    FullHttpResponse sent = runResponseHooks(response);
    if ((sent != response || sent.status().code() != status) && current != null) {
      current.status(sent.status().code());
    }
    return sent;
  }

  /**
   * Lets the route's plugins see a response the gateway generated (to add CORS headers to an error,
   * say); returns what to send: {@code response}, or the replacement a plugin chose (a cache's
   * stale response instead of an error).
   */
  private FullHttpResponse runResponseHooks(FullHttpResponse response) {
    if (view == null) {
      return response;
    }
    ResponseView seen = new ResponseView(response.status().code(), response.headers(), true);
    chain.onResponse(view, seen);
    if (!seen.isReplaced()) {
      return seen.status() == response.status().code() ? response : withStatus(response, seen.status());
    }
    response.release();
    boolean head = current != null && "HEAD".equals(current.method());
    FullHttpResponse replacement = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(seen.status()), head ? Unpooled.EMPTY_BUFFER : seen.replacementBody(),
        seen.nettyHeaders(), EmptyHttpHeaders.INSTANCE);
    return replacement;
  }

  /** {@code response} with the status a plugin set; without its body when the new status has none. */
  private static FullHttpResponse withStatus(FullHttpResponse response, int status) {
    if (ResponseView.mayHaveBody(status)) {
      return response.setStatus(HttpResponseStatus.valueOf(status));
    }
    FullHttpResponse empty = response.replace(Unpooled.EMPTY_BUFFER).setStatus(HttpResponseStatus.valueOf(status));
    empty.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    response.release();
    return empty;
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

  /**
   * The client sent no complete request head in time: answered with REQUEST_TIMEOUT as an
   * exchange of its own, and the connection closes.
   */
  void refuseIncompleteHead(GatewayError error, String protocolName) {
    Exchange exchange = new Exchange(RequestIds.next(), info.peerIp(), "-", "-");
    exchange.arrivedOn(listener, protocolName);
    grpcRequest = false;
    grpcWebContentType = null;
    exchangeSnapshot = server.startExchange();
    inExchange = true;
    requestComplete = false;
    answerError(exchange, error, false);
  }

  /** The protocol's part of the exchange is over: the next one may start. */
  void exchangeEnded() {
    proxy = null;
    streaming = null;
    exchangeSnapshot.exchangeEnded();
    exchangeSnapshot = null;
    inExchange = false;
  }

  // ---- UpgradingClient: a WebSocket upgrade waiting for the upstream ----

  @Override
  public Channel channel() {
    return protocol.channel();
  }

  @Override
  public void refuse(GatewayError error) {
    upgrading = null;
    answerError(current, error, true);
  }

  @Override
  public void switchProtocols(HttpHeaders headers, ChannelHandler encoder, ChannelHandler decoder, ChannelHandler session) {
    upgrading = null;
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
        Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
    runResponseHooks(response);
    closing = true; // nothing more reaches this driver: the connection carries frames now
    cancel(writeTimer);
    protocol.upgrade(response, encoder, decoder, session);
  }

  @Override
  public void sessionEnded() {
    exchangeSnapshot.exchangeEnded();
    exchangeSnapshot = null;
    inExchange = false;
  }

  // ---- the client side going away ----

  /** The client's channel closed: held messages are freed and the exchange in progress ends as aborted. */
  void clientClosed() {
    closing = true;
    cancel(writeTimer);
    if (held != null) {
      held.forEach(ReferenceCountUtil::release);
      held.clear();
    }
    if (proxy != null) {
      proxy.onClientClosed();
    } else if (streaming != null) {
      StreamedAnswer body = streaming;
      streaming = null;
      body.abandon();
      current.aborted("client_closed");
      completed(current);
      protocol.exchangeDone(false);
    } else if (chainPending || upgrading != null) {
      if (chainPending) {
        chainRun.cancel();
        chainPending = false;
      } else {
        upgrading.cancel();
        upgrading = null;
      }
      current.aborted("client_closed");
      current.status(499);
      completed(current);
      inExchange = false;
      exchangeSnapshot.exchangeEnded();
      exchangeSnapshot = null;
    }
  }

  /**
   * The client's writability changed: the exchange learns it, and a client that stops reading
   * for longer than the write timeout is cut.
   */
  void writabilityChanged(boolean writable) {
    if (writable) {
      cancel(writeTimer);
      writeTimer = null;
    } else if (writeTimer == null) {
      writeTimer = protocol.channel().eventLoop().schedule(() -> {
        if (proxy != null) {
          proxy.onClientClosed();
        }
        protocol.abort();
      }, limits().writeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (proxy != null) {
      proxy.onClientWritabilityChanged(writable);
    } else if (streaming != null) {
      streaming.writable(writable);
    }
  }

  /** Stops the write timeout (the channel is closing, or now serves another protocol). */
  void cancelWriteTimer() {
    cancel(writeTimer);
  }

  /** An exception the protocol did not recognise as its own: logged unless it is an I/O error, and the channel closes. */
  void failed(Throwable cause) {
    if (tls != null && TlsContexts.isTlsFailure(cause)) {
      protocol.close(); // counted and logged with the handshake completion event, or a broken TLS record: the client's doing
      return;
    }
    if (!(cause instanceof IOException)) {
      LOG.log(System.Logger.Level.WARNING, "client connection " + info + " failed", cause);
    }
    protocol.close();
  }

  LimitsConfig limits() {
    return server.snapshot().config().server().limits();
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
