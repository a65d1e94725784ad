package io.sluice.server;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * An HTTP/2 request head as the HTTP/1.1-style request the exchange reads: {@code :method} and
 * {@code :path} make the request line, {@code :authority} becomes {@code Host}, {@code cookie} fields
 * are joined into one (RFC 9113 section 8.2.3), and a body of unknown length is marked chunked.
 *
 * <p>What Netty's {@code HttpConversionUtil.toHttpRequest} does, in one pass and without the
 * {@code x-http2-*} extension fields it adds (the stream id, the scheme), which the exchange would
 * only remove again. The decoder has validated the block already (pseudo-header fields first and
 * known, no connection-specific fields); what is left to refuse here are a {@code host} field that
 * contradicts {@code :authority} and a request without {@code :method} or {@code :path}.
 */
final class Http2RequestFields {

  private static final AsciiString X_HTTP2 = AsciiString.cached("x-http2-");

  private Http2RequestFields() {}

  /**
   * The request of {@code head}; {@code endOfStream} when no body follows.
   *
   * @throws Http2Exception a stream error (PROTOCOL_ERROR) for a head HTTP/1.1 cannot carry
   */
  static HttpRequest request(int streamId, Http2Headers head, boolean endOfStream) throws Http2Exception {
    CharSequence method = head.method();
    CharSequence target = method != null && HttpMethod.CONNECT.asciiName().contentEquals(method)
        ? head.authority() : head.path();
    if (method == null || target == null) {
      throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "a request without :method or :path");
    }
    HttpHeaders fields = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    CharSequence authority = head.authority();
    boolean hasHost = authority != null;
    if (hasHost) {
      fields.add(HttpHeaderNames.HOST, authority);
    }
    StringBuilder cookies = null;
    for (Map.Entry<CharSequence, CharSequence> field : head) {
      CharSequence name = field.getKey();
      CharSequence value = field.getValue();
      if (name.length() > 0 && name.charAt(0) == ':') {
        continue; // pseudo-header fields: read above, or dropped (:scheme, :protocol)
      }
      if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
        cookies = cookies == null ? new StringBuilder(value.length() + 16) : cookies.append("; ");
        cookies.append(value);
      } else if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
        if (!hasHost) {
          hasHost = true;
          fields.add(HttpHeaderNames.HOST, value);
        } else if (!AsciiString.contentEqualsIgnoreCase(fields.get(HttpHeaderNames.HOST), value)) {
          throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR,
              "Conflicting ':authority' and 'host' headers found");
        }
      } else if (!HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
          && !HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)
          && !AsciiString.regionMatches(name, true, 0, X_HTTP2, 0, X_HTTP2.length())) {
        fields.add(name, value);
      }
    }
    if (cookies != null) {
      fields.add(HttpHeaderNames.COOKIE, cookies.toString());
    }
    if (!endOfStream && !fields.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      // a body of unknown length, which is what chunked framing means to the exchange
      fields.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()), target.toString(), fields);
  }
}
