package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The head of a request as the gateway understood it, independent of the protocol it came in on.
 *
 * @param method the request method
 * @param scheme {@code http} or {@code https}, as seen by the client
 * @param authority the authority as the client sent it ({@code host[:port]}), possibly empty for HTTP/1.0
 * @param host the authority's host as {@link io.sluice.routing.HostNormalizer} spells it: lower case,
 *     without port or trailing dot; empty when absent
 * @param path the normalized path without matrix parameters: what routes and plugins match, and
 *     what goes upstream unless rewritten or the route forwards matrix parameters
 * @param matrixPath the normalized path with its matrix parameters ({@code ;}), for a route that
 *     forwards them; the same {@code String} as {@code path} when there are none
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
    String matrixPath,
    String rawQuery,
    HttpHeaders headers,
    boolean hasBody,
    long contentLength) {

  /** A head whose path has no matrix parameters. */
  public RequestHead(HttpMethod method, String scheme, String authority, String host, String path, String rawQuery,
      HttpHeaders headers, boolean hasBody, long contentLength) {
    this(method, scheme, authority, host, path, path, rawQuery, headers, hasBody, contentLength);
  }

  /** Whether the request path had matrix parameters, which {@link #path} leaves out. */
  public boolean hasMatrixParameters() {
    return matrixPath.length() != path.length();
  }

  /** The path with its query string, as it would appear in a request line. */
  public String pathAndQuery() {
    return rawQuery == null ? path : path + '?' + rawQuery;
  }
}
