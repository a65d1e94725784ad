package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import io.sluice.config.LimitsConfig;
import io.sluice.config.RouteConfig;
import io.sluice.grpc.GrpcWebException;
import io.sluice.metrics.RequestMetrics;
import io.sluice.plugin.PluginChain;
import io.sluice.plugin.PluginSlot;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.upstream.ResponseListener;
import io.sluice.upstream.UpstreamCluster;
import io.sluice.upstream.UpstreamConnection;
import io.sluice.upstream.UpstreamFailure;
import io.sluice.upstream.UpstreamPool;
import io.sluice.upstream.UpstreamPools;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Forwards one request to an upstream and its response back, streaming both bodies with
 * backpressure: when the receiving side cannot take more, the sending side stops being read.
 * Bodies are passed on as the same buffers, never copied. Runs entirely on the client
 * connection's event loop, which is also the loop of the pooled upstream connection.
 *
 * <p>Every path ends in {@link #finish}, exactly once: the upstream connection is released or
 * discarded, pending buffers are freed, the access log is written and the client stream is told.
 */
public final class ProxyExchange implements ResponseListener, UpstreamPool.Acquirer {

  private enum State { CONNECTING, STREAMING, DONE }

  private final ClientStream client;
  private final Exchange exchange;
  private final RequestHead head;
  private final RouteConfig route;
  private final UpstreamCluster cluster;
  private final ConnectionInfo connection;
  private final UpstreamPools pools;
  private final String upstreamPathAndQuery;
  private final LimitsConfig limits;
  private final Duration responseTimeout;
  /** Whether the request may be sent again after a reused connection failed before answering. */
  private final boolean resendable;
  private final AccessLog accessLog;
  private final RequestMetrics metrics;
  private final PluginChain chain;
  private final ExchangeView view;
  /** Set for gRPC and gRPC-Web calls only. */
  private final GrpcCall grpc;

  private State state = State.CONNECTING;
  private UpstreamPool pool;
  private Endpoint endpoint;
  private UpstreamConnection upstream;
  private ArrayDeque<ByteBuf> pendingBody;
  private CompositeByteBuf collected;
  private HttpHeaders pendingTrailers;
  private boolean requestEnded;
  private boolean responseStarted;
  private boolean readingPaused;
  private boolean retried;
  /** Whether the exchange counts among the upstream's requests waiting for a connection. */
  private boolean pending;
  /** Where a copy of this request goes (set by {@link #mirrorTo}), and the copy once made. */
  private UpstreamCluster mirrorCluster;
  private io.sluice.config.MirrorConfig mirrorConfig;
  private java.util.function.Consumer<RequestMirror.Result> mirrorOutcome;
  private RequestMirror mirror;
  private boolean bodyForwarded;
  private boolean pausedThisWindow;
  private long bodyBytesThisWindow;
  /** Whether the upstream connection's response timer is armed for this exchange. */
  private boolean responseTimerArmed;
  private ScheduledFuture<?> bodyRateTimer;
  private ScheduledFuture<?> deadlineTimer;

  public ProxyExchange(
      ClientStream client,
      Exchange exchange,
      RequestHead head,
      RouteConfig route,
      UpstreamCluster cluster,
      ConnectionInfo connection,
      UpstreamPools pools,
      String upstreamPathAndQuery,
      LimitsConfig limits,
      AccessLog accessLog,
      RequestMetrics metrics,
      PluginChain chain,
      ExchangeView view) {
    this.client = client;
    this.exchange = exchange;
    this.head = head;
    this.route = route;
    this.cluster = cluster;
    this.connection = connection;
    this.pools = pools;
    this.upstreamPathAndQuery = upstreamPathAndQuery;
    this.limits = limits;
    io.sluice.config.RouteAction.Forward forward =
        route.action() instanceof io.sluice.config.RouteAction.Forward f ? f : null;
    Duration routeTimeout = forward != null ? forward.responseTimeout() : null;
    this.responseTimeout = routeTimeout != null ? routeTimeout : cluster.config().timeouts().response();
    this.resendable = isIdempotent(head.method()) || forward != null && forward.retryNonIdempotent();
    this.accessLog = accessLog;
    this.metrics = metrics;
    this.chain = chain;
    this.view = view;
    this.requestEnded = !head.hasBody();
    this.grpc = GrpcCall.of(head, client.channel().alloc());
  }

  /** Picks an endpoint and asks its pool for a connection; the request body may arrive meanwhile. */
  public void start() {
    endpoint = pickEndpoint();
    exchange.upstream(endpoint.authority());
    exchange.upstreamName(cluster.name());
    pool = pools.pool(endpoint, cluster.config());
    if (grpc != null && grpc.hasDeadline()) {
      deadlineTimer = client.channel().eventLoop().schedule(this::onDeadline, Math.max(0, grpc.remainingNanos()),
          TimeUnit.NANOSECONDS);
    }
    if (!requestEnded && limits.minRequestBodyRate() > 0) {
      bodyRateTimer = schedule(this::checkBodyRate, limits.requestBodyTimeout());
    }
    startMirror();
    if (!requestEnded && chain.buffersRequestBody()) {
      // A plugin judges the whole body first: collect it, then contact the upstream.
      collected = client.channel().alloc().compositeBuffer(Integer.MAX_VALUE);
      return;
    }
    acquireConnection();
    if (requestEnded) {
      endMirror(EmptyHttpHeaders.INSTANCE);
    }
  }

  /**
   * Asks for a copy of this request to go to {@code cluster}, the route's mirror, if the mirror's
   * {@code percent} draws it; before {@link #start}. {@code outcome} hears how the copy ended.
   */
  public void mirrorTo(UpstreamCluster cluster, io.sluice.config.MirrorConfig config,
      java.util.function.Consumer<String> outcome) {
    if (config.fraction() < 1 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() >= config.fraction()) {
      return;
    }
    this.mirrorCluster = cluster;
    this.mirrorConfig = config;
    this.mirrorOutcome = result -> outcome.accept(result.name().toLowerCase(java.util.Locale.ROOT));
  }

  private void startMirror() {
    if (mirrorCluster == null) {
      return;
    }
    // gRPC-Web: preparing a second head would restart the body's translation state; not copied
    if (head.hasBody() && head.contentLength() > mirrorConfig.maxBodyBytes() || grpc != null && grpc.web() != null) {
      mirrorOutcome.accept(RequestMirror.Result.SKIPPED);
      return;
    }
    mirror = new RequestMirror(mirrorCluster, pools, upstreamRequest(), mirrorConfig.maxBodyBytes(), mirrorOutcome);
  }

  /** The request goes upstream complete: so does its copy. */
  private void endMirror(HttpHeaders trailers) {
    if (mirror != null) {
      mirror.onEnd(trailers);
    }
  }

  /** The balancer's pick; a hashing balancer gets the hash of the request's {@code hash_on} key when it has one. */
  private Endpoint pickEndpoint() {
    return HashKeys.pickEndpoint(cluster, pools, head, exchange.clientIp());
  }

  /** Asks the pool for a connection, unless the upstream already has {@code max_pending_requests} waiting. */
  private void acquireConnection() {
    if (!cluster.startPending()) {
      fail(GatewayError.of(ErrorCode.UPSTREAM_OVERLOADED, "Upstream '" + cluster.name() + "' is overloaded; retry later")
          .withHeader("Retry-After", "1")
          .withDetails("max_pending_requests=" + cluster.config().maxPendingRequests() + " already wait for a connection"), "");
      return;
    }
    pending = true;
    pool.acquire(cluster.poolSettings(), this);
  }

  private void endPending() {
    if (pending) {
      pending = false;
      cluster.endPending();
    }
  }

  /** Whether the exchange paused reading the request body (backpressure, or no upstream connection yet). */
  public boolean isReadingPaused() {
    return readingPaused;
  }

  // ---- client side ----

  /** A piece of the request body; ownership passes to the exchange. */
  public void onRequestBody(ByteBuf content) {
    if (state == State.DONE) {
      content.release();
      return;
    }
    int size = content.readableBytes();
    exchange.addRequestBytes(size);
    bodyBytesThisWindow += size;
    long limit = collected == null ? route.maxBodyBytes() : Math.min(route.maxBodyBytes(), chain.requestBodyBufferLimit());
    if (exchange.requestBytes() > limit) {
      content.release();
      fail(GatewayError.of(ErrorCode.PAYLOAD_TOO_LARGE, "Request body exceeds the limit of " + limit + " bytes"),
          "body_limit");
      return;
    }
    if (chain.streamsRequestBody()) {
      PluginSlot failed = chain.onRequestBodyChunk(view, content, false);
      if (failed != null) {
        content.release();
        fail(pluginFailure(failed, "onRequestBodyChunk"), "plugin_failed");
        return;
      }
    }
    if (grpc != null && grpc.web() != null) {
      content = translateRequest(content);
      if (content == null) {
        return;
      }
    }
    if (mirror != null) {
      mirror.onBody(content);
    }
    if (collected != null) {
      collected.addComponent(true, content);
      return;
    }
    if (upstream == null) {
      if (pendingBody == null) {
        pendingBody = new ArrayDeque<>();
      }
      pendingBody.add(content);
      pauseReading();
      return;
    }
    bodyForwarded = true;
    upstream.channel().write(new DefaultHttpContent(content), upstream.channel().voidPromise());
  }

  /** The request body is complete. */
  public void onRequestEnd(HttpHeaders trailers) {
    if (state == State.DONE) {
      return;
    }
    requestEnded = true;
    cancel(bodyRateTimer);
    if (grpc != null && grpc.web() != null && !forwardRequestRest()) {
      return;
    }
    if (chain.streamsRequestBody()) {
      PluginSlot failed = chain.onRequestBodyChunk(view, Unpooled.EMPTY_BUFFER, true);
      if (failed != null) {
        fail(pluginFailure(failed, "onRequestBodyChunk"), "plugin_failed");
        return;
      }
    }
    if (collected != null) {
      GatewayError refusal = chain.onRequestBody(view, collected);
      ByteBuf body = collected;
      collected = null;
      if (refusal != null) {
        body.release();
        fail(refusal, "");
        return;
      }
      pendingBody = new ArrayDeque<>();
      pendingBody.add(body);
      pendingTrailers = trailers;
      acquireConnection();
      endMirror(trailers);
      return;
    }
    endMirror(trailers);
    if (upstream == null) {
      pendingTrailers = trailers;
      return;
    }
    writeRequestEnd(trailers);
    upstream.channel().flush();
    startResponseTimer();
  }

  /** A gRPC-Web request chunk decoded for the upstream; {@code null} when nothing is left to forward (or it failed). */
  private ByteBuf translateRequest(ByteBuf content) {
    ByteBuf translated;
    try {
      translated = grpc.web().requestChunk(content);
    } catch (GrpcWebException e) {
      fail(GatewayError.of(ErrorCode.BAD_REQUEST, "Invalid gRPC-Web request body").withDetails(e.getMessage()), "request_invalid");
      return null;
    }
    if (!translated.isReadable()) {
      translated.release();
      return null;
    }
    return translated;
  }

  /** Forwards what a gRPC-Web text body held back until its end; false when the body was malformed. */
  private boolean forwardRequestRest() {
    ByteBuf rest;
    try {
      rest = grpc.web().requestEnd();
    } catch (GrpcWebException e) {
      fail(GatewayError.of(ErrorCode.BAD_REQUEST, "Invalid gRPC-Web request body").withDetails(e.getMessage()), "request_invalid");
      return false;
    }
    if (!rest.isReadable()) {
      rest.release();
    } else if (collected != null) {
      collected.addComponent(true, rest);
    } else if (upstream == null) {
      if (pendingBody == null) {
        pendingBody = new ArrayDeque<>();
      }
      pendingBody.add(rest);
    } else {
      upstream.channel().write(new DefaultHttpContent(rest), upstream.channel().voidPromise());
    }
    return true;
  }

  /** The client finished a read burst: flush what was forwarded upstream. */
  public void onClientReadComplete() {
    if (upstream != null && state == State.STREAMING) {
      upstream.channel().flush();
    }
  }

  /** The client can take more (or no more) of the response. */
  public void onClientWritabilityChanged(boolean writable) {
    if (upstream != null && state == State.STREAMING) {
      upstream.channel().config().setAutoRead(writable);
    }
  }

  /** The client connection went away. */
  public void onClientClosed() {
    if (state == State.DONE) {
      return;
    }
    exchange.aborted("client_closed");
    if (exchange.status() == 0) {
      exchange.status(499);
    }
    if (upstream != null) {
      upstream.discard();
    }
    finish(false);
  }

  /** The request could not be read further (malformed chunk, read timeout). */
  public void onRequestFailed(GatewayError error) {
    fail(error, "request_invalid");
  }

  // ---- upstream side ----

  @Override
  public void onAcquired(UpstreamConnection connectionToUpstream) {
    endPending();
    if (state == State.DONE) {
      pool.requestDone();
      connectionToUpstream.returnUnused();
      return;
    }
    state = State.STREAMING;
    upstream = connectionToUpstream;
    upstream.bind(this);
    Channel channel = upstream.channel();
    channel.write(upstreamRequest(), channel.voidPromise());
    if (pendingBody != null) {
      ByteBuf content;
      while ((content = pendingBody.poll()) != null) {
        bodyForwarded = true;
        channel.write(new DefaultHttpContent(content), channel.voidPromise());
      }
    }
    if (requestEnded) {
      writeRequestEnd(pendingTrailers == null ? EmptyHttpHeaders.INSTANCE : pendingTrailers);
      startResponseTimer();
    }
    // Flush after the current read burst: if the rest of that burst shows the request to be
    // malformed, the exchange is aborted before the upstream sees a single byte. Inside a burst,
    // its end flushes (onClientReadComplete); otherwise (a new connection, a pipelined request
    // replayed) a task queued behind whatever the loop is doing now does.
    if (!client.inReadBurst()) {
      channel.eventLoop().execute(() -> {
        if (state == State.STREAMING) {
          channel.flush();
        }
      });
    }
    if (!requestEnded && channel.isWritable()) {
      resumeReading();
    }
  }

  @Override
  public void onAcquireFailed(UpstreamFailure failure) {
    endPending();
    if (state == State.DONE) {
      return;
    }
    GatewayError error = switch (failure.kind()) {
      case POOL_EXHAUSTED ->
          GatewayError.of(ErrorCode.NO_HEALTHY_ENDPOINT, "No connection to upstream '" + cluster.name() + "' is available");
      case RESOLVE -> GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE,
          "Upstream '" + cluster.name() + "' is unavailable: its host name could not be resolved");
      default -> GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE, "Upstream '" + cluster.name() + "' is unavailable");
    };
    fail(error.withDetails(failure.detail()), "");
  }

  @Override
  public void onResponseHead(HttpResponse response) {
    if (state == State.DONE) {
      return;
    }
    stopResponseTimer();
    responseStarted = true;
    exchange.upstreamResponded();
    if (grpc != null) {
      exchange.grpcStatus(response.headers()); // a trailers-only answer
    }
    HttpHeaders headers = ProxyHeaders.forClient(response.headers(), exchange.requestId(), route.responseHeaders());
    HttpResponseStatus status = response.status();
    if (grpc != null && grpc.web() != null) {
      status = grpc.web().responseHeaders(status, headers);
    }
    exchange.status(status.code());
    if (view != null) {
      PluginSlot failed = chain.onResponse(view, new ResponseView(status.code(), headers, false));
      if (failed != null) {
        responseStarted = false;
        fail(pluginFailure(failed, "onResponse"), "plugin_failed");
        return;
      }
    }
    client.writeHead(status, headers);
  }

  @Override
  public void onResponseBody(ByteBuf content) {
    if (state == State.DONE) {
      content.release();
      return;
    }
    exchange.addResponseBytes(content.readableBytes());
    if (chain.streamsResponseBody()) {
      PluginSlot failed = chain.onResponseBodyChunk(view, content, false);
      if (failed != null) {
        content.release();
        fail(pluginFailure(failed, "onResponseBodyChunk"), "plugin_failed");
        return;
      }
    }
    if (grpc != null && grpc.web() != null) {
      writeBodyIfAny(grpc.web().responseChunk(content));
      return;
    }
    client.writeBody(content);
  }

  private void writeBodyIfAny(ByteBuf content) {
    if (content.isReadable()) {
      client.writeBody(content);
    } else {
      content.release();
    }
  }

  /** Ends the response with {@code trailers}: as HTTP trailers, or for gRPC-Web as the trailer frame in the body. */
  private void endResponse(HttpHeaders trailers) {
    if (grpc != null && grpc.web() != null) {
      writeBodyIfAny(grpc.web().responseEnd(trailers));
      client.writeEnd(EmptyHttpHeaders.INSTANCE);
    } else {
      client.writeEnd(trailers);
    }
  }

  @Override
  public void onResponseEnd(HttpHeaders trailers) {
    if (state == State.DONE) {
      return;
    }
    if (grpc != null) {
      exchange.grpcStatus(trailers);
    }
    if (chain.streamsResponseBody()) {
      PluginSlot failed = chain.onResponseBodyChunk(view, Unpooled.EMPTY_BUFFER, true);
      if (failed != null) {
        fail(pluginFailure(failed, "onResponseBodyChunk"), "plugin_failed");
        return;
      }
    }
    endResponse(trailers);
    client.flush();
    if (requestEnded) {
      upstream.release();
      finish(true);
    } else {
      // The upstream answered before the request body was complete: the connection is
      // mid-request, so it cannot be reused, and the client's remaining body is not read.
      upstream.discard();
      finish(false);
    }
  }

  @Override
  public void onReadComplete() {
    if (state != State.DONE) {
      if (responseStarted && grpc != null && grpc.web() != null) {
        writeBodyIfAny(grpc.web().responseFlush()); // so a paused server stream's last message is not held back
      }
      client.flush();
    }
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    if (state == State.DONE || requestEnded) {
      return;
    }
    if (writable) {
      resumeReading();
    } else {
      pauseReading();
    }
  }

  @Override
  public void onFailure(UpstreamFailure failure) {
    if (state == State.DONE) {
      return;
    }
    if (isStaleConnectionRace(failure) || isRefusedBeforeBody(failure)) {
      retryOnFreshConnection();
      return;
    }
    if (failure.kind() == UpstreamFailure.Kind.MALFORMED) {
      fail(GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE, "Upstream '" + cluster.name() + "' sent an invalid response")
          .withDetails(failure.detail()), "upstream_malformed");
    } else {
      fail(GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE, "Upstream '" + cluster.name() + "' closed the connection")
          .withDetails(failure.detail()), "upstream_closed");
    }
  }

  // ---- internals ----

  /**
   * A reused keep-alive connection that closes before any response byte was most likely
   * closed by the upstream while idle, racing with this request. But the upstream may also have
   * processed the request and died before answering, so only a request that is safe to repeat
   * (RFC 9110 section 9.2.2: an idempotent method, or a route that says so) and has no body to
   * replay is sent again, once, on a new connection.
   */
  private boolean isStaleConnectionRace(UpstreamFailure failure) {
    return failure.kind() == UpstreamFailure.Kind.CLOSED && !failure.responseStarted() && !retried
        && resendable && !head.hasBody() && upstream != null && upstream.requestsServed() > 0;
  }

  /** GET, HEAD, OPTIONS, TRACE, PUT and DELETE: methods whose repetition has the effect of one request. */
  private static boolean isIdempotent(HttpMethod method) {
    return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)
        || method.equals(HttpMethod.TRACE) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE);
  }

  /**
   * An HTTP/2 upstream refused the stream before processing it (GOAWAY, REFUSED_STREAM), which
   * makes sending it again safe for any method (RFC 9113 section 8.7), once, as long as no body bytes are lost with the refused stream:
   * nothing forwarded yet, and not a body that already ended (its end was written to the stream).
   */
  private boolean isRefusedBeforeBody(UpstreamFailure failure) {
    return failure.kind() == UpstreamFailure.Kind.REFUSED && !retried && !bodyForwarded
        && !(head.hasBody() && requestEnded);
  }

  private void retryOnFreshConnection() {
    retried = true;
    exchange.retried();
    stopResponseTimer();
    upstream = null;
    pool.requestDone();
    state = State.CONNECTING;
    pool.acquireNew(cluster.poolSettings(), this);
  }

  private HttpRequest upstreamRequest() {
    HttpHeaders headers = ProxyHeaders.forUpstream(head, connection, exchange.requestId(), route.requestHeaders());
    if (exchange.trace() != null) {
      exchange.trace().applyTo(headers);
    }
    if (cluster.isHttp2()) {
      ProxyHeaders.keepTeTrailers(head.headers(), headers);
    }
    if (!headers.contains(HttpHeaderNames.HOST)) {
      headers.set(HttpHeaderNames.HOST, endpoint.authority()); // an HTTP/1.0 client sent none
    }
    if (head.hasBody()) {
      if (head.contentLength() >= 0) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, head.contentLength());
      } else {
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    if (grpc != null) {
      grpc.prepareUpstream(headers);
      if (head.hasBody() && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // a gRPC-Web text body changes length
      }
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), upstreamPathAndQuery, headers);
  }

  private void writeRequestEnd(HttpHeaders trailers) {
    Channel channel = upstream.channel();
    LastHttpContent last = trailers.isEmpty()
        ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(channel.alloc().buffer(0), trailers);
    channel.write(last, channel.voidPromise());
  }

  private void startResponseTimer() {
    if (grpc != null && grpc.hasDeadline()) {
      return; // the caller's deadline bounds the whole call instead
    }
    if (!responseTimerArmed && !responseStarted && state == State.STREAMING) {
      responseTimerArmed = true;
      upstream.responseTimer().arm(responseTimeout.toNanos(), this::onResponseTimeout);
    }
  }

  /** Disarms the response timer; always before the upstream connection can serve another exchange. */
  private void stopResponseTimer() {
    if (responseTimerArmed) {
      responseTimerArmed = false;
      upstream.responseTimer().disarm();
    }
  }

  private void onResponseTimeout() {
    responseTimerArmed = false;
    fail(GatewayError.of(ErrorCode.UPSTREAM_TIMEOUT,
        "Upstream '" + cluster.name() + "' did not respond within " + responseTimeout.toMillis() + "ms"), "upstream_timeout");
  }

  /**
   * The gRPC caller's deadline passed: before a response it gets DEADLINE_EXCEEDED as a
   * trailers-only answer; during one, the response ends with that status in its trailers. Either
   * way the upstream call is cancelled.
   */
  private void onDeadline() {
    if (state == State.DONE) {
      return;
    }
    GatewayError error = GatewayError.of(ErrorCode.UPSTREAM_TIMEOUT, "Deadline exceeded: the call's grpc-timeout passed at the gateway");
    if (!responseStarted) {
      fail(error, "deadline_exceeded");
      return;
    }
    exchange.aborted("deadline_exceeded");
    exchange.error(error);
    if (upstream != null) {
      upstream.discard();
    }
    endResponse(GrpcCall.statusTrailers(error));
    client.flush();
    finish(requestEnded);
  }

  /** A body must progress at the configured minimum rate, except while the gateway itself paused reading. */
  private void checkBodyRate() {
    if (state == State.DONE || requestEnded) {
      return;
    }
    long window = limits.requestBodyTimeout().toMillis();
    long required = limits.minRequestBodyRate() * window / 1000;
    if (!pausedThisWindow && !readingPaused && bodyBytesThisWindow < Math.max(1, required)) {
      fail(GatewayError.of(ErrorCode.REQUEST_TIMEOUT, "Request body arrived too slowly (at least "
          + limits.minRequestBodyRate() + " bytes per second are required)"), "body_too_slow");
      return;
    }
    bodyBytesThisWindow = 0;
    pausedThisWindow = readingPaused;
    bodyRateTimer = schedule(this::checkBodyRate, limits.requestBodyTimeout());
  }

  private void pauseReading() {
    if (!readingPaused) {
      readingPaused = true;
      pausedThisWindow = true;
      client.setReading(false);
    }
  }

  private void resumeReading() {
    if (readingPaused) {
      readingPaused = false;
      client.setReading(true);
    }
  }

  /** Ends the exchange with an error: as a response if none started, by cutting it otherwise. */
  private void fail(GatewayError error, String abortReason) {
    if (state == State.DONE) {
      return;
    }
    if (!abortReason.isEmpty()) {
      exchange.aborted(abortReason);
    }
    if (upstream != null) {
      upstream.discard();
    }
    if (responseStarted) {
      client.abort();
      finish(false);
    } else {
      // A body cut short by a limit is not read to its end: the connection cannot carry another request.
      boolean requestComplete = requestEnded && error.code() != ErrorCode.PAYLOAD_TOO_LARGE
          && error.code() != ErrorCode.REQUEST_TIMEOUT;
      exchange.error(error);
      client.writeError(error, exchange.requestId(), requestComplete);
      finish(requestComplete);
    }
  }

  private void finish(boolean requestComplete) {
    state = State.DONE;
    stopResponseTimer();
    endPending();
    if (mirror != null) {
      mirror.abandon();
    }
    cancel(bodyRateTimer);
    cancel(deadlineTimer);
    if (pendingBody != null) {
      pendingBody.forEach(ByteBuf::release);
      pendingBody.clear();
    }
    if (collected != null) {
      collected.release();
      collected = null;
    }
    if (pool != null && (upstream != null)) {
      pool.requestDone();
    }
    if (view != null) {
      chain.onComplete(view, exchange.outcome());
    }
    accessLog.log(exchange);
    exchange.countIn(metrics);
    client.exchangeDone(requestComplete);
  }

  private static GatewayError pluginFailure(PluginSlot failed, String hook) {
    return GatewayError.of(ErrorCode.PLUGIN_ERROR, "The request could not be processed")
        .withDetails("plugin=" + failed.name() + " failed in " + hook);
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return client.channel().eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
