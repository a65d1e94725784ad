package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.spi.GatewayError;

/**
 * The client side of one exchange, implemented per protocol (an HTTP/1.1 connection, later an
 * HTTP/2 stream). The protocol decides framing, keep-alive and how errors are rendered; the
 * exchange only says what to send. All methods are called on {@link #channel()}'s event loop.
 */
public interface ClientStream {

  /** The channel whose event loop runs the exchange (and whose allocator buffers come from). */
  Channel channel();

  /** Sends the response head; a {@code content-length} header means a fixed-length body follows. */
  void writeHead(HttpResponseStatus status, HttpHeaders headers);

  /** Sends part of the response body; takes ownership of {@code content}. Not flushed. */
  void writeBody(ByteBuf content);

  /** Ends the response, with trailers when the protocol can carry them. */
  void writeEnd(HttpHeaders trailers);

  /** Flushes what was written. */
  void flush();

  /**
   * Sends a complete error response rendered for this protocol (JSON, or gRPC status).
   * {@code requestComplete} false means the rest of the request will not be read: the protocol
   * must announce that the connection (or stream) ends with this response.
   */
  void writeError(GatewayError error, String requestId, boolean requestComplete);

  /** Cuts a response that already started: the client must see it as incomplete. */
  void abort();

  /**
   * Whether a read of the client's bytes is being delivered right now: its end (the exchange's
   * {@code onClientReadComplete}) comes later in the same event-loop turn.
   */
  boolean inReadBurst();

  /** Whether the client is keeping up with what was written. */
  boolean isWritable();

  /** Stops or resumes reading the request body (backpressure from the upstream side). */
  void setReading(boolean reading);

  /**
   * The exchange is over. {@code requestComplete} says whether the whole request was read;
   * when it was not, the protocol must not read the rest as a new request.
   */
  void exchangeDone(boolean requestComplete);
}
