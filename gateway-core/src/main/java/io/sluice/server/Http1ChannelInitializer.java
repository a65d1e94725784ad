package io.sluice.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.sluice.config.LimitsConfig;

/** The pipeline of an HTTP/1.1 client connection. */
final class Http1ChannelInitializer extends ChannelInitializer<Channel> {

  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final ServerState server;
  private final String scheme;

  Http1ChannelInitializer(ServerState server, String scheme) {
    this.server = server;
    this.scheme = scheme;
  }

  @Override
  protected void initChannel(Channel channel) {
    LimitsConfig limits = server.snapshot().config().server().limits();
    Http1Connection connection = new Http1Connection(server, scheme);
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(limits.maxRequestLineBytes())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxChunkSize(MAX_CHUNK_BYTES)
        .setValidateHeaders(true)
        .setStrictLineParsing(true);
    channel.pipeline()
        .addLast("request-start", new RequestStartDetector(connection))
        .addLast("codec", new HttpServerCodec(decoder))
        .addLast("connection", connection);
  }
}
