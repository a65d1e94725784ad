package io.sluice.spi;

/**
 * Stable error codes. Each has a default HTTP status, a gRPC status and a default source.
 * Clients may depend on these names; they are never renamed.
 */
public enum ErrorCode {
  NO_ROUTE(404, GrpcStatus.UNIMPLEMENTED, GatewayError.Source.CLIENT),
  METHOD_NOT_ALLOWED(405, GrpcStatus.UNIMPLEMENTED, GatewayError.Source.CLIENT),
  BAD_REQUEST(400, GrpcStatus.INTERNAL, GatewayError.Source.CLIENT),
  REQUEST_TIMEOUT(408, GrpcStatus.DEADLINE_EXCEEDED, GatewayError.Source.CLIENT),
  PAYLOAD_TOO_LARGE(413, GrpcStatus.RESOURCE_EXHAUSTED, GatewayError.Source.CLIENT),
  URI_TOO_LONG(414, GrpcStatus.INTERNAL, GatewayError.Source.CLIENT),
  HEADERS_TOO_LARGE(431, GrpcStatus.INTERNAL, GatewayError.Source.CLIENT),
  HTTP_VERSION_NOT_SUPPORTED(505, GrpcStatus.INTERNAL, GatewayError.Source.CLIENT),
  /** A route that proxies WebSockets only got a request that is not an upgrade (or a WebSocket version it cannot speak). */
  UPGRADE_REQUIRED(426, GrpcStatus.INTERNAL, GatewayError.Source.CLIENT),
  UNAUTHENTICATED(401, GrpcStatus.UNAUTHENTICATED, GatewayError.Source.CLIENT),
  FORBIDDEN(403, GrpcStatus.PERMISSION_DENIED, GatewayError.Source.CLIENT),
  RATE_LIMIT_EXCEEDED(429, GrpcStatus.RESOURCE_EXHAUSTED, GatewayError.Source.CLIENT),
  /** A limit whose counters live in a shared store could not be checked, and its plugin fails closed. */
  RATE_LIMIT_UNAVAILABLE(503, GrpcStatus.UNAVAILABLE, GatewayError.Source.GATEWAY),
  UPSTREAM_UNAVAILABLE(502, GrpcStatus.UNAVAILABLE, GatewayError.Source.UPSTREAM),
  NO_HEALTHY_ENDPOINT(503, GrpcStatus.UNAVAILABLE, GatewayError.Source.GATEWAY),
  UPSTREAM_TIMEOUT(504, GrpcStatus.DEADLINE_EXCEEDED, GatewayError.Source.UPSTREAM),
  CIRCUIT_OPEN(503, GrpcStatus.UNAVAILABLE, GatewayError.Source.GATEWAY),
  PLUGIN_ERROR(500, GrpcStatus.INTERNAL, GatewayError.Source.PLUGIN),
  /** A plugin did not decide within its {@code timeout} (an awaited stage, or a blocking call). */
  PLUGIN_TIMEOUT(504, GrpcStatus.DEADLINE_EXCEEDED, GatewayError.Source.PLUGIN),
  /** A blocking plugin already runs {@code max_concurrent} calls on the route: refused at once, never queued. */
  PLUGIN_OVERLOADED(503, GrpcStatus.UNAVAILABLE, GatewayError.Source.GATEWAY),
  /**
   * The gateway sheds load: it has {@code max_in_flight} exchanges in progress, or its memory is
   * past the {@code refuse} threshold. Refused at once, before routing, never queued.
   */
  OVERLOADED(503, GrpcStatus.UNAVAILABLE, GatewayError.Source.GATEWAY),
  /** The upstream already has {@code max_pending_requests} requests waiting for a connection: refused at once. */
  UPSTREAM_OVERLOADED(503, GrpcStatus.UNAVAILABLE, GatewayError.Source.GATEWAY),
  INTERNAL(500, GrpcStatus.INTERNAL, GatewayError.Source.GATEWAY);

  private final int httpStatus;
  private final int grpcStatus;
  private final GatewayError.Source defaultSource;

  ErrorCode(int httpStatus, int grpcStatus, GatewayError.Source defaultSource) {
    this.httpStatus = httpStatus;
    this.grpcStatus = grpcStatus;
    this.defaultSource = defaultSource;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int grpcStatus() {
    return grpcStatus;
  }

  public GatewayError.Source defaultSource() {
    return defaultSource;
  }

  /** The gRPC status codes used here (values from the gRPC spec). */
  static final class GrpcStatus {
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private GrpcStatus() {}
  }
}
