package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The head of a request as the gateway understood it, independent of the protocol it came in on.
 *
 * @param method the request method
 * @param scheme {@code http} or {@code https}, as seen by the client
 * @param authority the authority as the client sent it ({@code host[:port]}), possibly empty for HTTP/1.0
 * @param host the authority's host, lower case, without port; empty when absent
 * @param path the normalized path (what routes match and what goes upstream unless rewritten)
 * @param rawQuery the query string without {@code ?}, or {@code null} when there is none
 * @param headers the client's header fields (for HTTP/2, without pseudo-headers)
 * @param hasBody whether a body follows (declared length {@code > 0} or chunked)
 * @param contentLength the declared body length, {@code -1} when not declared
 */
public record RequestHead(
    HttpMethod method,
    String scheme,
    String authority,
    String host,
    String path,
    String rawQuery,
    HttpHeaders headers,
    boolean hasBody,
    long contentLength) {

  /** The path with its query string, as it would appear in a request line. */
  public String pathAndQuery() {
    return rawQuery == null ? path : path + '?' + rawQuery;
  }
}
