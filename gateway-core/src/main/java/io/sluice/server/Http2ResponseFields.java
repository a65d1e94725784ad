package io.sluice.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A response's head and trailers as HTTP/2 header blocks: names in lower case, and without the
 * connection-specific fields HTTP/2 forbids (RFC 9113 section 8.2.2).
 *
 * <p>What Netty's {@link HttpConversionUtil#toHttp2Headers(HttpHeaders, Http2Headers)} does, without
 * what a response does not need on every request: a map of the names {@code Connection} lists, made even
 * when there is no {@code Connection} field, and two copies of every name not already an
 * {@link AsciiString} in lower case. Fields the gateway writes to a client never carry {@code Connection}
 * (the proxy's header rules drop it); when one does, Netty's conversion handles it.
 */
final class Http2ResponseFields {

  private static final Set<AsciiString> CONNECTION_SPECIFIC = Set.of(HttpHeaderNames.CONNECTION,
      HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING,
      HttpHeaderNames.UPGRADE, HttpHeaderNames.HOST, HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), HttpConversionUtil.ExtensionHeaderNames.PATH.text());

  private Http2ResponseFields() {}

  /** The HEADERS of a response with {@code status} and {@code fields}. */
  static Http2Headers head(HttpResponseStatus status, HttpHeaders fields) {
    Http2Headers out = new DefaultHttp2Headers(false, fields.size() + 1);
    out.status(status.codeAsText());
    copy(fields, out);
    return out;
  }

  /** The trailing HEADERS of a response. */
  static Http2Headers trailers(HttpHeaders fields) {
    Http2Headers out = new DefaultHttp2Headers(false, fields.size());
    copy(fields, out);
    return out;
  }

  private static void copy(HttpHeaders in, Http2Headers out) {
    if (in.contains(HttpHeaderNames.CONNECTION)) {
      HttpConversionUtil.toHttp2Headers(in, out); // drops the fields it names as well
      return;
    }
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence();
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      AsciiString name = LowerCaseNames.of(field.getKey());
      if (!CONNECTION_SPECIFIC.contains(name)) {
        out.add(name, field.getValue());
      }
    }
  }
}
