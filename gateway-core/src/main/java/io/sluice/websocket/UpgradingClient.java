package io.sluice.websocket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.spi.GatewayError;

/**
 * The client side of a WebSocket upgrade in progress, as {@link WebSocketProxy} sees it: the
 * HTTP/1.1 connection the upgrade request came on. Called on {@link #channel()}'s event loop.
 */
public interface UpgradingClient {

  /** The client's connection (its event loop runs the upgrade and the session). */
  Channel channel();

  /** Answers the upgrade request with {@code error}; the exchange ends there (completion hooks, access log, metrics). */
  void refuse(GatewayError error);

  /**
   * Sends {@code 101 Switching Protocols} with {@code headers} and hands the connection to the
   * frame {@code encoder}, {@code decoder} and {@code session} handler, in that order (the encoder
   * first: the decoder writes a close frame itself when the client breaks the protocol). The
   * exchange then belongs to the session, which ends it with {@link #sessionEnded}.
   */
  void switchProtocols(HttpHeaders headers, ChannelHandler encoder, ChannelHandler decoder, ChannelHandler session);

  /** The session is over (both connections closed): the exchange no longer counts as in flight. */
  void sessionEnded();
}
