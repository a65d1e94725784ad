package io.sluice.server;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessageDecoderResult;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sluice.config.LimitsConfig;
import io.sluice.proxy.RequestHead;
import io.sluice.routing.HostNormalizer;
import io.sluice.routing.NormalizedPath;
import io.sluice.routing.PathNormalizer;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.util.Iterator;
import java.util.List;

/**
 * Turns a decoded HTTP/1.1 request head into a {@link RequestHead}, or into the error the
 * client gets. This is where request smuggling is stopped: anything ambiguous about where
 * the request ends, or about which host it is for, is refused before anything is forwarded.
 */
final class Http1Requests {

  private Http1Requests() {}

  /** Either a head to serve or an error to answer with (after which the connection closes). */
  sealed interface Outcome {}

  record Accepted(RequestHead head) implements Outcome {}

  record Rejected(GatewayError error) implements Outcome {}

  static Outcome read(HttpRequest request, String scheme, LimitsConfig limits) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      return new Rejected(decoderError(result.cause()));
    }
    if (result instanceof HttpMessageDecoderResult decoded && decoded.initialLineLength() > limits.maxRequestLineBytes()) {
      // the decoder's line bound is the chunk-line limit, which may be higher (see ClientPipelines)
      return reject(ErrorCode.URI_TOO_LONG, "Request line is too long");
    }
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1 || version.minorVersion() > 1) {
      return reject(ErrorCode.HTTP_VERSION_NOT_SUPPORTED, "HTTP version " + version.text() + " is not supported (expected HTTP/1.1 or HTTP/1.0)");
    }
    HttpHeaders headers = request.headers();
    if (headers.size() > limits.maxHeaderCount()) {
      return reject(ErrorCode.HEADERS_TOO_LARGE, "Too many header fields (limit " + limits.maxHeaderCount() + ")");
    }
    boolean chunked = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
    if (chunked) {
      List<String> transferEncodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (transferEncodings.size() != 1 || !"chunked".equalsIgnoreCase(transferEncodings.get(0).trim())) {
        return reject(ErrorCode.BAD_REQUEST, "Transfer-Encoding must be exactly 'chunked'");
      }
    }
    long contentLength = -1;
    String declared = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    if (declared != null) {
      contentLength = Long.parseLong(declared.trim()); // the decoder already refused anything else
    }
    HttpMethod method = request.method();
    if (HttpMethod.CONNECT.equals(method)) {
      return reject(ErrorCode.METHOD_NOT_ALLOWED, "CONNECT is not supported");
    }

    // an iterator rather than getAll: no list for the one Host every request has
    Iterator<? extends CharSequence> hosts = headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
    CharSequence hostField = hosts.hasNext() ? hosts.next() : null;
    if (hosts.hasNext()) {
      return reject(ErrorCode.BAD_REQUEST, "More than one Host header");
    }
    if (hostField == null && version.minorVersion() == 1) {
      return reject(ErrorCode.BAD_REQUEST, "Missing Host header");
    }
    String authority = hostField == null ? "" : hostField.toString().trim();

    String target = request.uri();
    String pathAndQuery;
    if (target.startsWith("/")) {
      pathAndQuery = target;
    } else if (regionMatches(target, "http://") || regionMatches(target, "https://")) {
      // Absolute form (RFC 9112 3.2.2): the target's authority replaces Host. Routing decides
      // where it goes, so a client can never steer the gateway to a host no route names.
      int authorityStart = target.indexOf("//") + 2;
      int pathStart = indexOfAny(target, authorityStart, "/?");
      authority = target.substring(authorityStart, pathStart < 0 ? target.length() : pathStart);
      String rest = pathStart < 0 ? "/" : target.substring(pathStart);
      pathAndQuery = rest.startsWith("?") ? "/" + rest : rest;
    } else if ("*".equals(target)) {
      return reject(ErrorCode.BAD_REQUEST, "The asterisk request target is not supported");
    } else {
      return reject(ErrorCode.BAD_REQUEST, "Request target must be a path starting with '/' or an absolute http URL");
    }
    if (pathAndQuery.indexOf('#') >= 0) {
      return reject(ErrorCode.BAD_REQUEST, "Request target must not contain a fragment");
    }
    String host = HostNormalizer.hostOf(authority);
    if (host == null) {
      return reject(ErrorCode.BAD_REQUEST, HostNormalizer.problem(authority));
    }

    int query = pathAndQuery.indexOf('?');
    String rawPath = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    String rawQuery = query < 0 ? null : pathAndQuery.substring(query + 1);
    NormalizedPath.Ok path;
    switch (PathNormalizer.normalize(rawPath)) {
      case NormalizedPath.Ok ok -> path = ok;
      case NormalizedPath.Rejection rejection -> {
        return reject(ErrorCode.BAD_REQUEST, rejection.reason());
      }
    }
    boolean hasBody = chunked || contentLength > 0;
    return new Accepted(new RequestHead(method, scheme, authority, host, path.path(), path.matrixPath(), rawQuery, headers,
        hasBody, chunked ? -1 : contentLength));
  }

  /**
   * The error for a request body (or its trailers) the decoder could not parse: the decoder
   * reports a chunk-size line over its bound as a too long "line", and trailer fields over
   * theirs as a too long "header".
   */
  static GatewayError bodyDecoderError(Throwable cause, LimitsConfig limits) {
    if (cause instanceof TooLongHttpLineException) {
      return GatewayError.of(ErrorCode.BAD_REQUEST, "Chunk size line is too long (the limit is "
          + limits.maxChunkLineBytes() + " bytes, chunk extensions included)");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return GatewayError.of(ErrorCode.HEADERS_TOO_LARGE, "Request trailer fields are too large");
    }
    return decoderError(cause);
  }

  /** The error for a request the decoder could not parse. */
  static GatewayError decoderError(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return GatewayError.of(ErrorCode.URI_TOO_LONG, "Request line is too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return GatewayError.of(ErrorCode.HEADERS_TOO_LARGE, "Request header fields are too large");
    }
    if (cause instanceof TooLongFrameException) {
      return GatewayError.of(ErrorCode.BAD_REQUEST, "Request framing is too large");
    }
    return GatewayError.of(ErrorCode.BAD_REQUEST, "Malformed HTTP request")
        .withDetails(cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private static Rejected reject(ErrorCode code, String message) {
    return new Rejected(GatewayError.of(code, message));
  }

  private static boolean regionMatches(String target, String prefix) {
    return target.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private static int indexOfAny(String s, int from, String chars) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
