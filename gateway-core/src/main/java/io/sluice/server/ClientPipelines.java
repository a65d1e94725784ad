package io.sluice.server;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.sluice.config.Http2Config;
import io.sluice.config.LimitsConfig;
import java.time.Duration;
import io.sluice.config.ListenerConfig;
import io.sluice.metrics.ConnectionMetrics;

/**
 * The handlers of a client connection once its protocol is known. HTTP/1.1 is one
 * {@link Http1Connection} behind Netty's HTTP codec. HTTP/2 is one {@link Http2ClientCodec}, Netty's
 * connection handler, with an {@link Http2Session} for the connection; every stream is served by an
 * {@link Http2ClientStream} on the connection's own pipeline (no channel per stream). Both drive their
 * exchanges with an {@link ExchangeDriver}, so routing, plugins and proxying are the same code for both.
 */
final class ClientPipelines {

  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final ServerState server;
  private final String listener;
  private final TlsContexts tls;
  private final boolean h2cUpgrade;
  private final ListenerConfig.UnderscoreHeaders underscores;

  /**
   * @param h2cUpgrade whether HTTP/1.1 connections may switch to HTTP/2 with {@code Upgrade: h2c}
   * @param listener the listener's name, for metrics and the access log
   * @param underscores the listener's {@code headers_with_underscores}
   */
  ClientPipelines(ServerState server, String listener, TlsContexts tls, boolean h2cUpgrade,
      ListenerConfig.UnderscoreHeaders underscores) {
    this.server = server;
    this.listener = listener;
    this.tls = tls;
    this.h2cUpgrade = h2cUpgrade;
    this.underscores = underscores;
  }

  ServerState server() {
    return server;
  }

  /** The listener's TLS contexts, or {@code null} in clear text. */
  TlsContexts tls() {
    return tls;
  }

  /** Adds the HTTP/1.1 handlers at the end of {@code pipeline}. */
  void http1(ChannelPipeline pipeline) {
    server.connectionMetrics().opened(pipeline.channel(), listener, ConnectionMetrics.Protocol.HTTP1);
    LimitsConfig limits = server.snapshot().config().server().limits();
    Http1Connection connection = new Http1Connection(server, tls, underscores, listener);
    // One bounded line reader reads request lines and chunk-size lines; the request line is then
    // held to its own, lower or equal, limit (Http1Requests).
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(Math.max(limits.maxRequestLineBytes(), limits.maxChunkLineBytes()))
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxChunkSize(MAX_CHUNK_BYTES)
        .setValidateHeaders(true)
        .setStrictLineParsing(true);
    HttpServerCodec codec = new HttpServerCodec(decoder);
    pipeline.addLast("request-start", new RequestStartDetector(connection))
        .addLast("codec", codec);
    if (h2cUpgrade) {
      pipeline.addLast("h2c-upgrade", new H2cUpgradeGate(this, codec));
    }
    pipeline.addLast("connection", connection);
  }

  /** Adds the HTTP/2 handlers at the end of {@code pipeline}. */
  void http2(ChannelPipeline pipeline) {
    http2Started(pipeline.channel());
    Http2Session session = new Http2Session(server);
    pipeline.addLast("h2", codec(session))
        .addLast("h2-session", session);
  }

  /** Counts {@code connection} as an HTTP/2 one from now on (from the start, or after an {@code h2c} upgrade). */
  void http2Started(io.netty.channel.Channel connection) {
    server.connectionMetrics().opened(connection, listener, ConnectionMetrics.Protocol.H2);
  }

  /**
   * The connection handler with the configured settings and abuse limits, whose streams are served by
   * {@link Http2ClientStream}s and whose connection {@code session} watches.
   */
  Http2ClientCodec codec(Http2Session session) {
    Http2Config http2 = server.snapshot().config().server().http2();
    LimitsConfig limits = server.snapshot().config().server().limits();
    Http2Settings settings = new Http2Settings()
        .maxConcurrentStreams(http2.maxConcurrentStreams())
        .initialWindowSize(http2.initialWindowBytes())
        .maxFrameSize(http2.maxFrameBytes())
        .maxHeaderListSize(limits.maxHeaderBytes());
    Duration resetWindow = Duration.ofSeconds(Math.max(1, http2.resetWindow().toSeconds()));
    Http2ClientCodec codec = Http2ClientCodec.builder(server.http2Errors(), http2.maxServerResets(), resetWindow,
            connection -> new Http2ClientStreams(connection, server, tls, underscores, listener, session))
        .initialSettings(settings)
        .validateHeaders(true)
        // Rapid reset (CVE-2023-44487): a client that opens and cancels streams faster than this
        // costs us work without ever reading a response; it gets GOAWAY(ENHANCE_YOUR_CALM).
        // (Resets the client provokes from the gateway instead are bounded by Http2ClientCodec.)
        .decoderEnforceMaxRstFramesPerWindow(http2.maxResets(), (int) resetWindow.toSeconds())
        .build();
    session.serves(codec);
    return codec;
  }
}
