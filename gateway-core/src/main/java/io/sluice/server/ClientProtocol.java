package io.sluice.server;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.proxy.ClientStream;

/**
 * What the shared {@link ExchangeDriver} asks of the protocol it serves, beyond what a
 * {@link ClientStream} gives the exchange: how a request head arrives, how an answer the
 * gateway makes itself is framed, and what the access log calls the protocol. One
 * implementation per protocol: {@link Http1Connection}, {@link Http2ClientStream}.
 * All methods are called on the channel's event loop.
 */
interface ClientProtocol extends ClientStream {

  /** A request head was decoded: drop the codec's artefacts, note what the protocol needs for the response. */
  void requestArrived(HttpRequest request);

  /** The protocol the access log names for a plain (not gRPC) request of {@code version}. */
  String protocolName(HttpVersion version);

  /** Whether the codec joined several {@code cookie} fields into one (HTTP/2), which the header rules allow. */
  boolean joinsCookies();

  /**
   * Prepares the head of an answer the gateway makes itself; {@code keepConnection} false when
   * the rest of the request will not be read or cannot be trusted.
   */
  void prepareAnswer(HttpHeaders headers, boolean keepConnection);

  /** Writes and flushes a complete answer prepared with {@link #prepareAnswer}. */
  void writeAnswer(FullHttpResponse response);

  /** Closes the client side at once: the request cannot be read further and no answer follows. */
  void close();

  /** Reads on after {@link #setReading setReading(false)} or an exchange: what arrived meanwhile comes now. */
  void resumeReading();

  /** Sends an interim {@code 100 Continue}: the client waiting to send the request body may. */
  void writeContinue();

  /** Whether the connection can switch to another protocol (a WebSocket) after a request. */
  boolean acceptsUpgrade();

  /**
   * Sends {@code switching} (a {@code 101}) and hands the connection over to {@code handlers},
   * added in order; this protocol's handlers and timers leave it. Only if {@link #acceptsUpgrade}.
   */
  void upgrade(FullHttpResponse switching, ChannelHandler... handlers);
}
