package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.proxy.ErrorBodies;
import io.sluice.proxy.ProxyHeaders;
import io.sluice.grpc.GrpcMessages;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.GatewayError;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Responses the gateway writes itself over HTTP/1.1: direct routes, plugin answers, errors. */
final class LocalResponses {

  private LocalResponses() {}

  /** A complete response with {@code headers}, a UTF-8 {@code body} and the request id. */
  static FullHttpResponse of(int status, Map<String, String> headers, String body, String requestId) {
    return of(status, headers, Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)), requestId, false);
  }

  /** A plugin's answer: its body as text or as bytes (wrapped, not copied). */
  static FullHttpResponse of(DirectResponse answer, String requestId, boolean headRequest) {
    ByteBuf body = answer.bytes() != null
        ? Unpooled.wrappedBuffer(answer.bytes())
        : Unpooled.wrappedBuffer(answer.body().getBytes(StandardCharsets.UTF_8));
    return of(answer.status(), answer.headers(), body, requestId, headRequest);
  }

  /**
   * The head of a plugin's answer whose body is streamed: {@code Content-Length} is the stream's
   * announced length, or absent, so that the protocol frames the body as it comes.
   */
  static FullHttpResponse streamedHead(DirectResponse answer, String requestId) {
    FullHttpResponse response = of(answer.status(), answer.headers(), Unpooled.EMPTY_BUFFER, requestId, true);
    long length = answer.stream().length();
    if (length >= 0 && response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    } else {
      response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    return response;
  }

  /**
   * A complete response with {@code body}; for a {@code HEAD} request, the body's length and no body
   * (RFC 9110 section 9.3.2), which HTTP/2 needs spelled out: its codec does not know the method.
   */
  static FullHttpResponse of(int status, Map<String, String> headers, ByteBuf body, String requestId, boolean headRequest) {
    int length = body.readableBytes();
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        headRequest ? Unpooled.EMPTY_BUFFER : body);
    HttpHeaders out = response.headers();
    headers.forEach(out::set);
    if (status != 204 && status != 304 && status >= 200) {
      out.set(HttpHeaderNames.CONTENT_LENGTH, length); // RFC 9110 8.6: never on 1xx and 204
    } else {
      out.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    out.set(ProxyHeaders.X_REQUEST_ID, requestId);
    return response;
  }

  /**
   * An error for a gRPC caller: a trailers-only response (HTTP 200, {@code grpc-status} and a
   * percent-encoded {@code grpc-message} in the head, no body), as the gRPC protocol requires.
   */
  static FullHttpResponse grpcError(GatewayError error, String requestId) {
    FullHttpResponse response = of(200, error.headers(), "", requestId);
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    headers.set("grpc-status", Integer.toString(error.grpcStatus()));
    headers.set("grpc-message", GrpcMessages.percentEncode(error.message()));
    return response;
  }

  /** An error in our JSON shape, with the error's extra headers. */
  static FullHttpResponse error(GatewayError error, String requestId) {
    FullHttpResponse response = of(error.httpStatus(), error.headers(), ErrorBodies.json(error, requestId), requestId);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return response;
  }
}
