package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.sluice.config.ListenerConfig;
import io.sluice.proxy.ConnectionInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of one HTTP/2 client connection, dispatched to its streams: a request's HEADERS make a
 * {@link Http2ClientStream} (kept as a property of Netty's stream), its DATA and trailers go to that stream,
 * and the stream learns when Netty closes it (both sides ended, a reset either way, or the connection gone).
 * The streams that read something in one read of the connection are told when that read is over, as a
 * channel's handlers are told by {@code channelReadComplete}.
 */
final class Http2ClientStreams extends Http2EventAdapter {

  private final ServerState server;
  private final TlsContexts tls;
  private final ListenerConfig.UnderscoreHeaders underscores;
  private final String listener;
  private final Http2Session session;
  private final Http2ClientCodec codec;
  private final Http2Connection.PropertyKey streamKey;
  /** Who the client is, learnt by the connection's first stream. */
  private ConnectionInfo client;
  /** The streams that read something since the connection's read began. */
  private final List<Http2ClientStream> reading = new ArrayList<>(4);

  Http2ClientStreams(Http2ClientCodec codec, ServerState server, TlsContexts tls,
      ListenerConfig.UnderscoreHeaders underscores, String listener, Http2Session session) {
    this.codec = codec;
    this.server = server;
    this.tls = tls;
    this.underscores = underscores;
    this.listener = listener;
    this.session = session;
    Http2Connection connection = codec.connection();
    this.streamKey = connection.newKey();
    connection.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        Http2ClientStream closed = stream.removeProperty(streamKey);
        if (closed != null) {
          closed.closed();
          session.streamClosed();
        }
      }
    });
    codec.encoder().flowController().listener(stream -> {
      Http2ClientStream changed = stream.getProperty(streamKey);
      if (changed != null) {
        changed.writabilityChanged();
      }
    });
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
      short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
      boolean endOfStream) throws Http2Exception {
    Http2Stream stream = codec.connection().stream(streamId);
    Http2ClientStream existing = stream.getProperty(streamKey);
    if (existing != null) {
      existing.trailersRead(headers); // the decoder lets trailers through only with END_STREAM
      readSome(existing);
      return;
    }
    opened(stream, false).headersRead(headers, endOfStream);
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
      throws Http2Exception {
    Http2ClientStream stream = codec.connection().stream(streamId).getProperty(streamKey);
    if (stream == null) {
      return data.readableBytes() + padding; // a stream the gateway no longer serves: its window stays open
    }
    readSome(stream);
    return stream.dataRead(data, padding, endOfStream);
  }

  /**
   * After an {@code h2c} upgrade: {@code request}, the HTTP/1.1 request that asked for it, is stream 1's.
   * Netty made the stream half closed, without flow control for what the request carried.
   */
  void upgraded(FullHttpRequest request) throws Http2Exception {
    Http2Stream stream = codec.connection().stream(Http2ClientStream.UPGRADE_STREAM_ID);
    request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http"); // h2c is clear text
    Http2Headers headers = HttpConversionUtil.toHttp2Headers(request, true);
    Http2ClientStream upgraded = opened(stream, true);
    boolean body = request.content().isReadable();
    upgraded.headersRead(headers, !body);
    if (body) {
      upgraded.dataRead(request.content(), 0, true);
    }
  }

  private Http2ClientStream opened(Http2Stream stream, boolean upgrade) {
    Http2ClientStream opened = new Http2ClientStream(codec, stream, upgrade, client, server, tls, underscores, listener);
    client = opened.client();
    stream.setProperty(streamKey, opened);
    session.streamOpened();
    readSome(opened);
    return opened;
  }

  private void readSome(Http2ClientStream stream) {
    if (!stream.inRead()) {
      stream.inRead(true);
      reading.add(stream);
    }
  }

  /** The connection's read is over: each stream that read something in it ends its read burst. */
  void readComplete() {
    for (int i = 0; i < reading.size(); i++) {
      Http2ClientStream stream = reading.get(i);
      stream.inRead(false);
      stream.readComplete();
    }
    reading.clear();
  }
}
