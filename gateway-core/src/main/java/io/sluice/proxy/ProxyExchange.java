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
import io.sluice.config.RetryPolicy;
import io.sluice.config.RouteConfig;
import io.sluice.grpc.GrpcWebException;
import io.sluice.metrics.RequestMetrics;
import io.sluice.plugin.BodyTransformers;
import io.sluice.plugin.PluginChain;
import io.sluice.plugin.PluginSlot;
import io.sluice.plugin.RequestBodyRun;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.upstream.OutlierDetector;
import io.sluice.upstream.ResponseListener;
import io.sluice.upstream.UpstreamCluster;
import io.sluice.upstream.UpstreamConnection;
import io.sluice.upstream.UpstreamFailure;
import io.sluice.upstream.UpstreamPool;
import io.sluice.upstream.UpstreamPools;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Forwards one request to an upstream and its response back, streaming both bodies with
 * backpressure: when the receiving side cannot take more, the sending side stops being read.
 * Bodies are passed on as the same buffers, never copied. Runs entirely on the client
 * connection's event loop, which is also the loop of the pooled upstream connection.
 *
 * <p>Every path ends in {@link #finish}, exactly once: the upstream connection is released or
 * discarded, pending buffers are freed, the access log is written and the client stream is told.
 *
 * <p>A route with {@code retry} sends a request again when an attempt fails in a retryable way
 * before anything of the response reached the client: to another endpoint, after a jittered
 * backoff on this event loop's timer, within the upstream's {@link io.sluice.upstream.RetryBudget}.
 * A request body is sent again only when the exchange kept all of it ({@link Retries}: the
 * received buffers themselves, retained while they are forwarded, up to the policy's bound); a
 * connect failure loses nothing, so the body pieces waiting for the connection simply wait on.
 * Every attempt's outcome is told to the upstream's {@link OutlierDetector}, if it has one.
 *
 * <p>Plugins that transform bodies ({@code BodyAccess.transformed()}) sit between the two sides:
 * a request's pieces go through {@link #requestTransform} before the mirror, the replay buffer and
 * the upstream see them; a response's through {@link TransformedResponse}, which also holds its
 * head back until the first transformed byte. Both are {@code null} unless a plugin transforms
 * this very body, so an exchange without such plugins only tests them for {@code null}.
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
  /** The route's retry policy, or {@code null}. */
  private final RetryPolicy retry;
  /** This exchange's retries, {@code null} when the route does not retry. */
  private final Retries retries;

  private State state = State.CONNECTING;
  private UpstreamPool pool;
  private Endpoint endpoint;
  private UpstreamConnection upstream;
  private ArrayDeque<ByteBuf> pendingBody;
  private CompositeByteBuf collected;
  /** The whole request body while buffering plugins judge it ({@link #bodyRun}); released by {@link #finish} if still here. */
  private ByteBuf judged;
  private RequestBodyRun bodyRun;
  /** The plugins that transform this request's body, or {@code null}. */
  private BodyTransformers requestTransform;
  /** This response's body transformers and its held head, or {@code null}. */
  private TransformedResponse responseTransform;
  private HttpHeaders pendingTrailers;
  private boolean requestEnded;
  private boolean responseStarted;
  /**
   * A plugin replaced the upstream's response, or gave it a status without a body (204, 304): what the
   * upstream still sends of its body is dropped.
   */
  private boolean responseReplaced;
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
  /** Whether the exchange counts among the upstream's requests in its retry budget. */
  private boolean countedInBudget;
  /** A retryable response is being read to its end and dropped before the retry. */
  private boolean discardingResponse;
  private ScheduledFuture<?> backoffTimer;

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
    this.retry = forward != null ? forward.retry() : null;
    this.retries = retry != null ? new Retries(retry, cluster.retryBudget()) : null;
    Duration perTry = retry != null ? retry.perTryTimeout() : null;
    this.responseTimeout = perTry != null ? perTry : routeTimeout != null ? routeTimeout : cluster.config().timeouts().response();
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
    countedInBudget = true; // every request to the upstream, retried or not, makes room in its retry budget
    cluster.retryBudget().requestStarted();
    if (grpc != null && grpc.hasDeadline()) {
      deadlineTimer = client.channel().eventLoop().schedule(this::onDeadline, Math.max(0, grpc.remainingNanos()),
          TimeUnit.NANOSECONDS);
    }
    if (!requestEnded && limits.minRequestBodyRate() > 0) {
      bodyRateTimer = schedule(this::checkBodyRate, limits.requestBodyTimeout());
    }
    if (!requestEnded && retry != null && retry.bufferBodyBytes() > 0 && head.contentLength() <= retry.bufferBodyBytes()
        && (resendable || retry.retries(RetryPolicy.Condition.CONNECT_FAILURE)
            || grpc != null && retry.retries(RetryPolicy.Condition.UNAVAILABLE))) {
      retries.keepBody();
    }
    if (!requestEnded && chain.transformsRequestBody()) {
      requestTransform = chain.requestTransformers(view);
      if (requestTransform != null && requestTransform.failed() != null) {
        fail(pluginFailure(requestTransform.failed(), "transformsRequestBody"), "plugin_failed");
        return;
      }
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
    if (config.fraction() < 1 && ThreadLocalRandom.current().nextDouble() >= config.fraction()) {
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
    if (collected != null) {
      collected.addComponent(true, content);
      return;
    }
    forwardBody(content);
  }

  /** A piece of the request body on its way upstream: through the transformers, if this body has any, then {@link #sendBody}. */
  private void forwardBody(ByteBuf content) {
    if (requestTransform != null) {
      content = requestTransform.apply(view, content, false, client.channel().alloc());
      if (content == null) {
        fail(pluginFailure(requestTransform.failed(), requestTransform.hook()), "plugin_failed");
        return;
      }
      if (!content.isReadable()) {
        content.release();
        return;
      }
    }
    sendBody(content);
  }

  /**
   * A piece of the request body as the upstream gets it: copied to the mirror, kept for a retry, and
   * written, or held (with reading paused) until there is a connection.
   */
  private void sendBody(ByteBuf content) {
    if (mirror != null) {
      mirror.onBody(content);
    }
    if (retries != null) {
      retries.keep(content);
    }
    if (upstream == null) {
      if (pendingBody == null) {
        pendingBody = new ArrayDeque<>();
      }
      pendingBody.add(content);
      if (!requestEnded) {
        pauseReading();
      }
      return;
    }
    bodyForwarded = true;
    upstream.channel().write(new DefaultHttpContent(content), upstream.channel().voidPromise());
  }

  /** The transformers' last call: forwards what they held back. False when one failed (the exchange is over). */
  private boolean endRequestTransform() {
    if (requestTransform == null) {
      return true;
    }
    ByteBuf rest = requestTransform.apply(view, Unpooled.EMPTY_BUFFER, true, client.channel().alloc());
    if (rest == null) {
      fail(pluginFailure(requestTransform.failed(), requestTransform.hook()), "plugin_failed");
      return false;
    }
    if (rest.isReadable()) {
      sendBody(rest);
    } else {
      rest.release();
    }
    return true;
  }

  /** The request body is complete. */
  public void onRequestEnd(HttpHeaders trailers) {
    if (state == State.DONE) {
      return;
    }
    requestEnded = true;
    if (retries != null) {
      retries.keepTrailers(trailers);
    }
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
      judgeBody(trailers);
      return;
    }
    if (!endRequestTransform()) {
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

  /**
   * Lets the buffering plugins judge the complete body (they may wait, see {@link RequestBodyRun});
   * then contacts the upstream, or answers with their refusal.
   */
  private void judgeBody(HttpHeaders trailers) {
    judged = collected;
    collected = null;
    pendingTrailers = trailers;
    bodyRun = new RequestBodyRun(chain, view, client.channel().eventLoop(), judged, new RequestBodyRun.Continuation() {
      @Override
      public void proceed() {
        bodyJudged();
      }

      @Override
      public void reply(GatewayError error) {
        bodyRun = null;
        fail(error, "");
      }
    });
    bodyRun.start();
  }

  private void bodyJudged() {
    bodyRun = null;
    ByteBuf body = judged;
    judged = null;
    forwardBody(body);
    if (state == State.DONE || !endRequestTransform()) {
      return;
    }
    acquireConnection();
    endMirror(pendingTrailers);
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
    } else {
      forwardBody(rest);
    }
    return state != State.DONE;
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
    if (failure.kind() == UpstreamFailure.Kind.CONNECT || failure.kind() == UpstreamFailure.Kind.RESOLVE) {
      if (failure.kind() == UpstreamFailure.Kind.CONNECT) {
        report(OutlierDetector.Result.CONNECT_FAILURE); // a name that does not resolve says nothing of the endpoint
      }
      // nothing was sent: any method may go again, and body pieces wait in pendingBody as before
      if (mayRetry(RetryPolicy.Condition.CONNECT_FAILURE, true, true)) {
        retryAfterBackoff();
        return;
      }
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
    int code = response.status().code();
    report(code >= 500 ? OutlierDetector.Result.FAILURE : OutlierDetector.Result.SUCCESS);
    if (isRetryableAnswer(response) && requestEnded && mayRetry(null, isGrpcUnavailable(response), false)) {
      discardingResponse = true; // read it to its end so that the connection can serve another request
      return;
    }
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
      ResponseView seen = new ResponseView(status.code(), headers, false);
      PluginSlot failed = chain.onResponse(view, seen);
      if (failed != null) {
        responseStarted = false;
        fail(pluginFailure(failed, "onResponse"), "plugin_failed");
        return;
      }
      if (seen.isReplaced()) {
        writeReplacement(seen);
        return;
      }
      if (seen.status() != status.code()) {
        status = withStatus(seen.status(), headers);
      }
      if (chain.transformsResponseBody() && !responseReplaced && ResponseView.mayHaveBody(status.code())
          && !head.method().equals(HttpMethod.HEAD)) {
        BodyTransformers transformers = chain.responseTransformers(view, seen);
        if (transformers != null && transformers.failed() != null) {
          responseStarted = false;
          fail(pluginFailure(transformers.failed(), "transformsResponseBody"), "plugin_failed");
          return;
        }
        if (transformers != null) {
          if (seen.status() != status.code()) {
            status = withStatus(seen.status(), headers); // set by a transformer that rewrites the body
          }
          responseTransform = new TransformedResponse(transformers, status, headers);
          return; // the head waits for the first transformed byte
        }
      }
    }
    client.writeHead(status, headers);
  }

  /** The status a plugin set; one without a body (204, 304) drops the upstream's. */
  private HttpResponseStatus withStatus(int code, HttpHeaders headers) {
    exchange.status(code);
    if (!ResponseView.mayHaveBody(code)) {
      responseReplaced = true;
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    return HttpResponseStatus.valueOf(code);
  }

  /** Sends a plugin's replacement for the upstream's response, all but its end, which waits for the upstream's. */
  private void writeReplacement(ResponseView replacement) {
    responseReplaced = true;
    HttpResponseStatus status = HttpResponseStatus.valueOf(replacement.status());
    exchange.status(status.code());
    client.writeHead(status, replacement.nettyHeaders());
    ByteBuf body = replacement.replacementBody();
    if (body.isReadable() && !head.method().equals(HttpMethod.HEAD) && status.code() != 304 && status.code() != 204) {
      exchange.addResponseBytes(body.readableBytes());
      client.writeBody(body);
    }
  }

  @Override
  public void onResponseBody(ByteBuf content) {
    if (state == State.DONE || discardingResponse || responseReplaced) {
      content.release();
      return;
    }
    if (chain.streamsResponseBody()) {
      PluginSlot failed = chain.onResponseBodyChunk(view, content, false);
      if (failed != null) {
        content.release();
        fail(pluginFailure(failed, "onResponseBodyChunk"), "plugin_failed");
        return;
      }
    }
    if (responseTransform != null) {
      content = transformResponse(content, false);
      if (content == null) {
        return;
      }
    }
    exchange.addResponseBytes(content.readableBytes());
    if (grpc != null && grpc.web() != null) {
      writeBodyIfAny(grpc.web().responseChunk(content));
      return;
    }
    writeBody(content);
  }

  /** A response piece through its transformers; {@code null} when nothing is to be written (empty output, or a failure). */
  private ByteBuf transformResponse(ByteBuf content, boolean last) {
    BodyTransformers transformers = responseTransform.transformers();
    ByteBuf out = transformers.apply(view, content, last, client.channel().alloc());
    if (out == null) {
      fail(pluginFailure(transformers.failed(), transformers.hook()), "plugin_failed");
      return null;
    }
    if (!out.isReadable()) {
      out.release();
      return null;
    }
    return out;
  }

  private void writeBodyIfAny(ByteBuf content) {
    if (content.isReadable()) {
      writeBody(content);
    } else {
      content.release();
    }
  }

  /** Writes a piece of the response body, after the head a transformation may still hold. */
  private void writeBody(ByteBuf content) {
    if (responseTransform != null) {
      responseTransform.sendHead(client);
    }
    client.writeBody(content);
  }

  /** Ends the response with {@code trailers}: as HTTP trailers, or for gRPC-Web as the trailer frame in the body. */
  private void endResponse(HttpHeaders trailers) {
    if (responseTransform != null) {
      responseTransform.sendHead(client);
    }
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
    if (discardingResponse) {
      upstream.release();
      upstreamAttemptOver();
      retryAfterBackoff();
      return;
    }
    if (grpc != null) {
      exchange.grpcStatus(trailers);
    }
    if (responseReplaced) {
      trailers = EmptyHttpHeaders.INSTANCE; // they ended the upstream's body, not the replacement
    } else {
      if (chain.streamsResponseBody()) {
        PluginSlot failed = chain.onResponseBodyChunk(view, Unpooled.EMPTY_BUFFER, true);
        if (failed != null) {
          fail(pluginFailure(failed, "onResponseBodyChunk"), "plugin_failed");
          return;
        }
      }
      if (responseTransform != null) {
        ByteBuf rest = transformResponse(Unpooled.EMPTY_BUFFER, true);
        if (state == State.DONE) {
          return;
        }
        if (rest != null) {
          exchange.addResponseBytes(rest.readableBytes());
          if (grpc != null && grpc.web() != null) {
            writeBodyIfAny(grpc.web().responseChunk(rest));
          } else {
            writeBody(rest);
          }
        }
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
    if (state != State.DONE && !discardingResponse) {
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
    if (!discardingResponse) {
      report(OutlierDetector.Result.FAILURE);
    }
    if (failure.kind() != UpstreamFailure.Kind.MALFORMED && (discardingResponse || !failure.responseStarted())
        && (discardingResponse || mayRetry(RetryPolicy.Condition.RESET, false, false))) {
      upstreamAttemptOver();
      retryAfterBackoff();
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

  // ---- retries ----

  /** A response the route retries on: one of its statuses, or a gRPC trailers-only UNAVAILABLE. */
  private boolean isRetryableAnswer(HttpResponse response) {
    if (retry == null) {
      return false;
    }
    if (retry.statuses().contains(response.status().code())) {
      return true;
    }
    return isGrpcUnavailable(response);
  }

  /**
   * A gRPC call answered trailers-only with UNAVAILABLE, on a route that retries those: the server
   * says it did not serve the call, so it is retried whatever its method (every gRPC call is a POST).
   */
  private boolean isGrpcUnavailable(HttpResponse response) {
    return grpc != null && retry.retries(RetryPolicy.Condition.UNAVAILABLE)
        && "14".equals(response.headers().get("grpc-status"));
  }

  /**
   * Whether the attempt that just failed with {@code condition} ({@code null}: a retryable status)
   * is retried: the route retries it, attempts are left, the request is safe to repeat (an
   * idempotent method, or {@code anyMethod}), all of its body is at hand (still waiting to be sent
   * when {@code nothingSent}, else kept whole), and the budget has room. Takes a budget slot when it
   * says yes and the exchange held none.
   */
  private boolean mayRetry(RetryPolicy.Condition condition, boolean anyMethod, boolean nothingSent) {
    if (retries == null || !retries.attemptsLeft() || responseStarted
        || condition != null && !retry.retries(condition)) {
      return false;
    }
    if (!anyMethod && !resendable) {
      return false;
    }
    boolean bodyAtHand = nothingSent
        ? !bodyForwarded || retries.keepsBody() // an earlier attempt may have taken pieces no one kept
        : !head.hasBody() || retries.keepsBody() && requestEnded;
    return bodyAtHand && retries.takeBudgetSlot();
  }

  /** The failed attempt's connection is no longer this exchange's (released or discarded by now). */
  private void upstreamAttemptOver() {
    stopResponseTimer();
    if (upstream != null) {
      upstream = null;
      pool.requestDone();
    }
    discardingResponse = false;
    state = State.CONNECTING;
  }

  /** Waits a random time up to the policy's backoff for this retry (full jitter), on this loop, then retries. */
  private void retryAfterBackoff() {
    state = State.CONNECTING;
    backoffTimer = client.channel().eventLoop().schedule(this::retryNow, retries.nextBackoffNanos(), TimeUnit.NANOSECONDS);
  }

  private void retryNow() {
    backoffTimer = null;
    if (state == State.DONE) {
      return;
    }
    Endpoint failed = endpoint;
    endpoint = cluster.pickOther(failed);
    exchange.retriedOn(endpoint.authority());
    cluster.retryBudget().sent();
    pool = pools.pool(endpoint, cluster.config());
    if (retries.keepsBody() && (pendingBody == null || pendingBody.isEmpty())) { // after a connect failure it is still there
      pendingBody = retries.bodyForAttempt();
      pendingTrailers = retries.trailers();
    }
    acquireConnection(); // a retry waits for a connection like a first attempt: max_pending_requests applies
  }

  private void report(OutlierDetector.Result result) {
    OutlierDetector outliers = cluster.outliers();
    if (outliers != null) {
      outliers.report(endpoint, result);
    }
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
      if (head.contentLength() >= 0 && requestTransform == null) {
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
    if (state == State.DONE) {
      return;
    }
    report(OutlierDetector.Result.FAILURE);
    if (!responseStarted && mayRetry(RetryPolicy.Condition.TIMEOUT, false, false)) {
      upstream.discard();
      upstreamAttemptOver();
      retryAfterBackoff();
      return;
    }
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
    if (responseStarted && (responseTransform == null || responseTransform.headSent())) {
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
    cancel(backoffTimer);
    if (retries != null) {
      retries.release();
    }
    if (countedInBudget) {
      countedInBudget = false;
      cluster.retryBudget().requestEnded();
    }
    if (pendingBody != null) {
      pendingBody.forEach(ByteBuf::release);
      pendingBody.clear();
    }
    if (collected != null) {
      collected.release();
      collected = null;
    }
    if (bodyRun != null) {
      bodyRun.cancel();
      bodyRun = null;
    }
    if (judged != null) {
      judged.release();
      judged = null;
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
