package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.grpc.GrpcMessages;
import io.sluice.grpc.GrpcTimeout;
import io.sluice.grpc.GrpcWeb;
import io.sluice.grpc.GrpcWebSession;
import io.sluice.spi.GatewayError;

/**
 * What the proxy does differently for one gRPC (or gRPC-Web) call: the caller's deadline from
 * {@code grpc-timeout}, which the gateway enforces and passes on shortened by the time already
 * spent, and the gRPC-Web translation for browser callers. Plain HTTP requests have none.
 */
final class GrpcCall {

  static final String TIMEOUT_HEADER = "grpc-timeout";

  private final boolean hasDeadline;
  /** When the caller stops waiting, in {@link System#nanoTime()} terms. */
  private final long deadlineNanos;
  private final GrpcWebSession web;

  private GrpcCall(boolean hasDeadline, long deadlineNanos, GrpcWebSession web) {
    this.hasDeadline = hasDeadline;
    this.deadlineNanos = deadlineNanos;
    this.web = web;
  }

  /** The call {@code head} starts, or {@code null} when it is not gRPC. */
  static GrpcCall of(RequestHead head, ByteBufAllocator alloc) {
    String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType == null || !contentType.regionMatches(true, 0, "application/grpc", 0, 16)) {
      return null;
    }
    String timeout = head.headers().get(TIMEOUT_HEADER);
    long budget = timeout == null ? -1 : GrpcTimeout.parseNanos(timeout);
    // Without a (valid) grpc-timeout the route's response timeout applies, as for any request.
    return new GrpcCall(budget >= 0, System.nanoTime() + budget, GrpcWeb.isGrpcWeb(contentType) ? new GrpcWebSession(alloc) : null);
  }

  boolean hasDeadline() {
    return hasDeadline;
  }

  /** Nanoseconds left until the deadline (negative once it passed). */
  long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  /** The gRPC-Web translation, or {@code null} for a native gRPC caller. */
  GrpcWebSession web() {
    return web;
  }

  /** Rewrites the upstream request's headers: gRPC-Web becomes gRPC, and the deadline is what remains of it. */
  void prepareUpstream(HttpHeaders headers) {
    if (web != null) {
      web.requestHeaders(headers);
    }
    if (hasDeadline()) {
      headers.set(TIMEOUT_HEADER, GrpcTimeout.format(Math.max(0, remainingNanos())));
    }
  }

  /** The trailers that end a call the gateway cuts short, e.g. at its deadline. */
  static HttpHeaders statusTrailers(GatewayError error) {
    HttpHeaders trailers = new DefaultHttpHeaders();
    trailers.set("grpc-status", Integer.toString(error.grpcStatus()));
    trailers.set("grpc-message", GrpcMessages.percentEncode(error.message()));
    return trailers;
  }

  /** A request body chunk as the upstream must see it (gRPC-Web text is decoded). */
  ByteBuf requestChunk(ByteBuf chunk) {
    return web == null ? chunk : web.requestChunk(chunk);
  }
}
