package io.sluice.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Translates one gRPC-Web call to gRPC and its answer back, as the bytes stream through: no
 * message is ever buffered whole. One instance per call, used on the exchange's event loop in
 * this order:
 * <pre>{@code
 * GrpcWebSession web = new GrpcWebSession(channel.alloc());
 * web.requestHeaders(request.headers());          // rewritten in place for the upstream
 * upstream.write(web.requestChunk(content));       // for each request body chunk
 * upstream.write(web.requestEnd());                // when the request body ends
 * status = web.responseHeaders(status, headers);   // headers rewritten in place for the caller
 * client.writeBody(web.responseChunk(content));    // for each response body chunk
 * client.writeBody(web.responseFlush());           // optional, when the upstream has no more to read now
 * client.writeBody(web.responseEnd(trailers));     // then end the response with no trailers
 * }</pre>
 *
 * <p><b>Buffers.</b> Every method that takes a {@code ByteBuf} takes ownership of it (it is
 * released, or handed back, even when the method throws); every {@code ByteBuf} returned belongs
 * to the caller, may be empty, and may be the very buffer passed in. The session itself holds no
 * buffers (leftovers between chunks are at most three bytes, kept in fields), so a call that is
 * abandoned half-way needs no clean-up.
 *
 * <p><b>Request.</b> Binary gRPC-Web bodies are already gRPC-framed and pass through untouched;
 * {@code -text} bodies are base64 and are decoded, in chunks split anywhere and in several padded
 * segments if the client sent them so. Malformed base64 throws {@link GrpcWebException}: answer
 * with {@code ErrorCode.BAD_REQUEST}.
 *
 * <p><b>Response.</b> The answer is text (base64) when the request was, or when its
 * {@code accept} asks for {@code application/grpc-web-text}. Trailers become a final frame in
 * the body, because browsers cannot read HTTP trailers. A trailers-only answer (its
 * {@code grpc-status} in the headers, as gRPC sends errors and as the gateway renders its own)
 * gets status 200 and its status moved into that frame too. An answer that is not gRPC at all
 * (no gRPC content type, no {@code grpc-status}: an HTML 502 from some proxy, say) passes through
 * untouched; gRPC-Web clients turn its HTTP status into a gRPC status themselves.
 *
 * <p><b>Text responses and streaming.</b> Base64 encodes three bytes at a time, so up to two
 * bytes of a chunk are held until the next chunk or the end. For a server stream that pauses,
 * those bytes would hold back the message they belong to; call {@link #responseFlush()} when the
 * upstream has nothing more to read for now ({@code channelReadComplete}) to send them, padded.
 * gRPC-Web clients accept padding mid-body; the spec allows it for exactly this reason.
 */
public final class GrpcWebSession {

  // The status of a trailers-only answer: these go from the headers into the trailer frame.
  private static final String[] STATUS_HEADERS = {"grpc-status", "grpc-message", "grpc-status-details-bin"};

  private final ByteBufAllocator alloc;
  private Base64StreamDecoder requestDecoder;   // only for -text requests
  private Base64StreamEncoder responseEncoder;  // only for text responses that are translated
  private boolean textResponse;
  private String codec = "";
  private boolean translating;
  private HttpHeaders statusFromHeaders = EmptyHttpHeaders.INSTANCE;

  /** A session whose buffers come from {@code alloc} (the client channel's). */
  public GrpcWebSession(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /**
   * Reads the caller's request headers and rewrites them, in place, for a gRPC upstream: content
   * type {@code application/grpc[+codec]}, {@code te: trailers} (required by gRPC, and which no
   * browser can send), and no {@code content-length} for a text body (decoding changes it).
   *
   * @throws IllegalArgumentException if the request's content type is not gRPC-Web
   */
  public void requestHeaders(HttpHeaders headers) {
    String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
    String upstreamType = GrpcWeb.toGrpc(contentType);
    boolean textRequest = GrpcWeb.isText(contentType);
    textResponse = textRequest || GrpcWeb.acceptsText(headers.get(HttpHeaderNames.ACCEPT));
    codec = GrpcWeb.codec(contentType);
    if (textRequest) {
      requestDecoder = new Base64StreamDecoder();
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, upstreamType);
    headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
  }

  /**
   * One chunk of the request body, translated for the upstream. Takes ownership of {@code chunk}.
   *
   * @throws GrpcWebException if a text body holds something that is not base64
   */
  public ByteBuf requestChunk(ByteBuf chunk) {
    return requestDecoder == null ? chunk : requestDecoder.decode(chunk, alloc);
  }

  /**
   * The end of the request body: the last bytes of an unpadded text body, usually empty.
   *
   * @throws GrpcWebException if a text body ended in the middle of a base64 quantum
   */
  public ByteBuf requestEnd() {
    return requestDecoder == null ? Unpooled.EMPTY_BUFFER : requestDecoder.finish(alloc);
  }

  /** Whether the response is sent base64-encoded. Known after {@link #requestHeaders}. */
  public boolean textResponse() {
    return textResponse;
  }

  /**
   * Reads the upstream's response head and rewrites {@code headers}, in place, for the caller:
   * content type {@code application/grpc-web[-text][+codec]}, no {@code content-length} (the
   * trailer frame lengthens the body), no {@code trailer} announcement; for a trailers-only answer
   * its status headers are moved out, to be sent in the trailer frame by {@link #responseEnd}.
   *
   * @return the status to send the caller: 200 for a trailers-only answer, else {@code status}
   */
  public HttpResponseStatus responseHeaders(HttpResponseStatus status, HttpHeaders headers) {
    String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
    boolean trailersOnly = headers.contains(STATUS_HEADERS[0]);
    translating = trailersOnly || GrpcWeb.isGrpc(contentType);
    if (!translating) {
      return status;
    }
    if (trailersOnly) {
      statusFromHeaders = new DefaultHttpHeaders();
      for (String name : STATUS_HEADERS) {
        String value = headers.get(name);
        if (value != null) {
          statusFromHeaders.set(name, value);
          headers.remove(name);
        }
      }
    }
    if (textResponse) {
      responseEncoder = new Base64StreamEncoder();
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, GrpcWeb.toGrpcWeb(contentType, textResponse, codec));
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.TRAILER);
    return trailersOnly ? HttpResponseStatus.OK : status;
  }

  /** One chunk of the response body, translated for the caller. Takes ownership of {@code chunk}. */
  public ByteBuf responseChunk(ByteBuf chunk) {
    return responseEncoder == null ? chunk : responseEncoder.encode(chunk, false, alloc);
  }

  /**
   * For a text response, the bytes held back from earlier chunks, padded; otherwise (and when
   * nothing is held) empty. Costs at most two {@code '='} on the wire; see the class comment.
   */
  public ByteBuf responseFlush() {
    return responseEncoder == null
        ? Unpooled.EMPTY_BUFFER
        : responseEncoder.encode(Unpooled.EMPTY_BUFFER, true, alloc);
  }

  /**
   * The end of the response: what is held back, then the trailer frame holding a trailers-only
   * status and {@code trailers} (not modified; the caller still owns it and must end the response
   * to the caller <em>without</em> trailers). For an answer that is not translated the result is
   * empty and {@code trailers} should be forwarded as they are.
   */
  public ByteBuf responseEnd(HttpHeaders trailers) {
    if (!translating) {
      return Unpooled.EMPTY_BUFFER;
    }
    ByteBuf frame = GrpcWebTrailers.frame(statusFromHeaders, trailers, alloc);
    return responseEncoder == null ? frame : responseEncoder.encode(frame, true, alloc);
  }
}
