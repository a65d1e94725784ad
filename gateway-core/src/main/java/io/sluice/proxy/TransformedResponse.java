package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.plugin.BodyTransformers;

/**
 * A response whose body plugins transform on its way to the client: the transformers, and the
 * head, held back until the first transformed byte (or the end) goes out. Holding it lets a
 * transformer that fails early get the client a whole 500 instead of a cut response, and lets
 * a transformer that emits nothing for a while not commit the gateway to the upstream's answer.
 */
final class TransformedResponse {

  private final BodyTransformers transformers;
  private HttpResponseStatus status;
  /** The head's headers until it is sent, then {@code null}. */
  private HttpHeaders headers;

  TransformedResponse(BodyTransformers transformers, HttpResponseStatus status, HttpHeaders headers) {
    this.transformers = transformers;
    this.status = status;
    this.headers = headers;
    headers.remove(HttpHeaderNames.CONTENT_LENGTH); // the length of the transformed body is not known yet
  }

  BodyTransformers transformers() {
    return transformers;
  }

  boolean headSent() {
    return headers == null;
  }

  /** Sends the held head, unless it went already. */
  void sendHead(ClientStream client) {
    if (headers != null) {
      client.writeHead(status, headers);
      headers = null;
      status = null;
    }
  }
}
