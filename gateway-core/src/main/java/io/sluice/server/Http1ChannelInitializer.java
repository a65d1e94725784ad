package io.sluice.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.sluice.config.LimitsConfig;

/** The pipeline of an HTTP/1.1 client connection; on a TLS listener it starts with the TLS handler. */
final class Http1ChannelInitializer extends ChannelInitializer<Channel> {

  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final ServerState server;
  private final TlsContexts tls;

  /** @param tls the listener's TLS contexts, or {@code null} for plain text */
  Http1ChannelInitializer(ServerState server, TlsContexts tls) {
    this.server = server;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel channel) {
    LimitsConfig limits = server.snapshot().config().server().limits();
    Http1Connection connection = new Http1Connection(server, tls);
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(limits.maxRequestLineBytes())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxChunkSize(MAX_CHUNK_BYTES)
        .setValidateHeaders(true)
        .setStrictLineParsing(true);
    if (tls != null) {
      channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
    }
    channel.pipeline()
        .addLast("request-start", new RequestStartDetector(connection))
        .addLast("codec", new HttpServerCodec(decoder))
        .addLast("connection", connection);
  }
}
