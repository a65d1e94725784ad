package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.plugin.RequestChainRun;
import io.sluice.spi.GatewayError;
import io.sluice.tracing.TraceContext;
import java.util.Set;

/**
 * What the gateway knows about one request and its outcome: filled in as the exchange
 * progresses and written to the access log once, when it completes. Confined to the client
 * connection's event loop.
 */
public final class Exchange {

  private final String requestId;
  private final long startNanos = System.nanoTime();
  private final String clientAddress;
  private final String method;
  private final String target;
  private String routeId = "-";
  private String upstream = "-";
  /** The upstream's name (as configured), or {@code null} while none was chosen. */
  private String upstreamName;
  private int status;
  private GatewayError error;
  private long requestBytes;
  private long responseBytes;
  private long upstreamStartNanos;
  private long upstreamHeadNanos;
  private String abort = "";
  private String listener;
  private String protocol;
  private String host;
  private String clientIp;
  private TraceContext trace;
  private Set<String> secretParameters = Set.of();
  private ExchangeView view;
  private RequestChainRun chainRun;
  private int grpcStatus = -1;
  private int attempts;

  public Exchange(String requestId, String clientAddress, String method, String target) {
    this.requestId = requestId;
    this.clientAddress = clientAddress;
    this.method = method;
    this.target = target;
  }

  public String requestId() {
    return requestId;
  }

  public long startNanos() {
    return startNanos;
  }

  public String clientAddress() {
    return clientAddress;
  }

  public String method() {
    return method;
  }

  public String target() {
    return target;
  }

  public String routeId() {
    return routeId;
  }

  public String upstream() {
    return upstream;
  }

  public int status() {
    return status;
  }

  /** The error the gateway answered with, or {@code null}. */
  public GatewayError error() {
    return error;
  }

  public long requestBytes() {
    return requestBytes;
  }

  public long responseBytes() {
    return responseBytes;
  }

  /** Nanoseconds from sending upstream to the response head, or {@code -1}. */
  public long upstreamLatencyNanos() {
    return upstreamHeadNanos == 0 ? -1 : upstreamHeadNanos - upstreamStartNanos;
  }

  /** Why the exchange was cut short (e.g. {@code client_closed}), or empty. */
  public String abort() {
    return abort;
  }

  /** The name of the listener the request came in on, or {@code null} (an in-memory connection). */
  public String listener() {
    return listener;
  }

  /** {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2}, {@code gRPC} or {@code gRPC-Web}; {@code null} before the head was read. */
  public String protocol() {
    return protocol;
  }

  /** The request's host as routes match it, or {@code null} when the head was refused. */
  public String host() {
    return host;
  }

  /** The client's IP behind trusted proxies; the peer's IP until the head was read. */
  public String clientIp() {
    return clientIp == null ? clientAddress : clientIp;
  }

  /** The exchange's trace context, or {@code null} when tracing is off (or no head was read). */
  public TraceContext trace() {
    return trace;
  }

  /** Query parameters whose values the access log must not write. */
  public Set<String> secretParameters() {
    return secretParameters;
  }

  /** What plugins saw of the exchange (attributes such as the identity), or {@code null} on a route without plugins. */
  public ExchangeView view() {
    return view;
  }

  /** The run of the route's request plugins, with their timings, or {@code null} on a route without plugins. */
  public RequestChainRun chainRun() {
    return chainRun;
  }

  /** The gRPC status the call ended with, or {@code -1} when it is not a gRPC call or ended without one. */
  public int grpcStatus() {
    if (grpcStatus >= 0) {
      return grpcStatus;
    }
    boolean grpc = protocol != null && protocol.startsWith("gRPC");
    return grpc && error != null ? error.grpcStatus() : -1;
  }

  /** How many times the request was sent upstream: 0 when it was not, 2 after a retry on a fresh connection. */
  public int attempts() {
    return attempts;
  }

  /** Where the request came in: the listener's name and the protocol (see {@link #protocol()}). */
  public void arrivedOn(String listenerName, String protocolName) {
    this.listener = listenerName;
    this.protocol = protocolName;
  }

  /**
   * What the request head said, once it was read: its host, the client's IP behind trusted proxies, its trace
   * context and the query parameters that carry credentials.
   */
  public void head(String requestHost, String client, TraceContext traceContext, Set<String> secrets) {
    this.host = requestHost;
    this.clientIp = client;
    this.trace = traceContext;
    this.secretParameters = secrets;
  }

  /** The route's plugins ran (or run) on {@code exchangeView}. */
  public void plugins(ExchangeView exchangeView, RequestChainRun run) {
    this.view = exchangeView;
    this.chainRun = run;
  }

  /** Records the {@code grpc-status} of response headers (trailers-only) or trailers, if there is one. */
  public void grpcStatus(HttpHeaders headersOrTrailers) {
    String value = headersOrTrailers.get("grpc-status");
    if (value != null && !value.isEmpty() && value.length() <= 3 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      grpcStatus = Integer.parseInt(value);
    }
  }

  /** A retry sends the request again, to {@code endpoint}; the upstream time still counts from the first attempt. */
  public void retriedOn(String endpoint) {
    this.upstream = endpoint;
    attempts++;
  }

  /** The request is sent upstream again, on a fresh connection. */
  public void retried() {
    attempts++;
  }

  /** The outcome as plugins see it in {@code onComplete}. */
  public io.sluice.spi.Outcome outcome() {
    long upstreamNanos = upstreamLatencyNanos();
    return new io.sluice.spi.Outcome(status, error, abort, java.time.Duration.ofNanos(System.nanoTime() - startNanos),
        upstreamNanos < 0 ? null : java.time.Duration.ofNanos(upstreamNanos), routeId,
        "-".equals(upstream) ? null : upstream, requestBytes, responseBytes);
  }

  public void route(String id) {
    this.routeId = id;
  }

  public void upstream(String endpoint) {
    this.upstream = endpoint;
    this.upstreamStartNanos = System.nanoTime();
    this.attempts = 1;
  }

  public void upstreamName(String name) {
    this.upstreamName = name;
  }

  /** Counts this exchange, which has just ended, in {@code metrics}. */
  public void countIn(io.sluice.metrics.RequestMetrics metrics) {
    metrics.record(routeId, method, status, upstreamName, System.nanoTime() - startNanos, upstreamLatencyNanos(),
        requestBytes, responseBytes);
  }

  public void upstreamResponded() {
    this.upstreamHeadNanos = System.nanoTime();
  }

  public void status(int code) {
    this.status = code;
  }

  public void error(GatewayError rejection) {
    this.error = rejection;
    this.status = rejection.httpStatus();
  }

  public void addRequestBytes(long n) {
    requestBytes += n;
  }

  public void addResponseBytes(long n) {
    responseBytes += n;
  }

  public void aborted(String reason) {
    if (abort.isEmpty()) {
      abort = reason;
    }
  }
}
