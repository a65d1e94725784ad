package io.sluice.proxy;

import io.sluice.spi.GatewayError;

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
