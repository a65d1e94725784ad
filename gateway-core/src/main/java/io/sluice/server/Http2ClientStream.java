package io.sluice.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.ListenerConfig;
import io.sluice.proxy.ConnectionInfo;
import io.sluice.proxy.ClientStream;
import io.sluice.spi.GatewayError;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * One HTTP/2 stream, the {@link ClientStream} of its one exchange: the {@link Http2ClientStreams} of its
 * connection hands it the stream's frames as HTTP objects, and it writes its response as frames through the
 * connection's {@link Http2ClientCodec}. No keep-alive or pipelining: the stream ends (or is reset) with the
 * exchange, and connection timers are the {@link Http2Session}'s business.
 *
 * <p>Flow control follows reading: a DATA frame's bytes are given back to the client's window when the
 * exchange takes the frame. While the exchange has reading paused, frames wait here and their bytes stay
 * unacknowledged, so a client that sends faster than the upstream takes runs out of window.
 */
final class Http2ClientStream implements ClientProtocol {

  /** The stream that carries the request of an {@code h2c} upgrade. */
  static final int UPGRADE_STREAM_ID = 1;

  private static final Http2Headers CONTINUE = new DefaultHttp2Headers().status(HttpResponseStatus.CONTINUE.codeAsText());

  private final Http2ClientCodec codec;
  private final ChannelHandlerContext ctx;
  private final Http2Stream stream;
  /** Stream 1 of an {@code h2c} upgrade: what its request carried was not flow controlled. */
  private final boolean upgrade;
  private final ExchangeDriver driver;
  /**
   * A response head not written yet: its status, and its fields in {@link #pendingHead}. It goes out with the first body bytes or flush; a response
   * that ends right after its head leaves as one HEADERS frame with END_STREAM, which is how a
   * gRPC trailers-only answer (an error) must look.
   */
  private HttpResponseStatus pendingStatus;
  private HttpHeaders pendingHead;
  /** The write that ends the response; the stream is closed once it is out. */
  private ChannelFuture lastWrite;
  /** Whether the response's END_STREAM was written: the exchange finishes by itself. */
  private boolean ended;
  /** Whether the gateway reset the stream. */
  private boolean reset;
  private boolean reading = true;
  /** What arrived while reading was paused, in order, with the flow-controlled bytes of each. */
  private ArrayDeque<Held> held;
  private boolean resumeScheduled;
  /** Whether the stream read something in the connection's current read. */
  private boolean inRead;

  private record Held(HttpObject message, int bytes) {}

  /** @param client what an earlier stream of the connection learnt about the client, or {@code null} for the first */
  Http2ClientStream(Http2ClientCodec codec, Http2Stream stream, boolean upgrade, ConnectionInfo client, ServerState server,
      TlsContexts tls, ListenerConfig.UnderscoreHeaders underscores, String listener) {
    this.codec = codec;
    this.ctx = codec.context();
    this.stream = stream;
    this.upgrade = upgrade;
    this.driver = new ExchangeDriver(server, this, tls, underscores, listener);
    if (client != null) {
      driver.start(client);
    } else {
      driver.start(ctx.channel());
    }
  }

  /** Who the client is, for the connection's next streams. */
  ConnectionInfo client() {
    return driver.info();
  }

  // ---- what the connection reads for this stream ----

  /** The request head; may throw a stream error (a head HTTP/1.1 cannot carry), which resets the stream. */
  void headersRead(Http2Headers headers, boolean endOfStream) throws Http2Exception {
    HttpRequest request = Http2RequestFields.request(stream.id(), headers, endOfStream);
    take(request, 0);
    if (endOfStream) {
      take(LastHttpContent.EMPTY_LAST_CONTENT, 0);
    }
  }

  /** Trailers, which end the request. */
  void trailersRead(Http2Headers headers) throws Http2Exception {
    LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, false);
    HttpConversionUtil.addHttp2ToHttpHeaders(stream.id(), headers, last.trailingHeaders(), HttpVersion.HTTP_1_1,
        true, true);
    take(last, 0);
  }

  /** A DATA frame; returns the bytes given back to the client's window now (the rest, when the exchange takes it). */
  int dataRead(ByteBuf data, int padding, boolean endOfStream) {
    ByteBuf retained = data.retain();
    HttpContent content = endOfStream ? new DefaultLastHttpContent(retained, false) : new DefaultHttpContent(retained);
    return take(content, upgrade ? 0 : data.readableBytes() + padding);
  }

  /** Hands {@code message} to the exchange, or holds it while reading is paused; returns the bytes consumed now. */
  private int take(HttpObject message, int bytes) {
    if (!reading || held != null && !held.isEmpty()) {
      if (held == null) {
        held = new ArrayDeque<>(4);
      }
      held.add(new Held(message, bytes));
      return 0;
    }
    try {
      driver.read(message);
    } catch (RuntimeException e) {
      driver.failed(e);
    }
    return bytes;
  }

  boolean inRead() {
    return inRead;
  }

  void inRead(boolean reading) {
    this.inRead = reading;
  }

  /** The connection's read, in which this stream read something, is over. */
  void readComplete() {
    try {
      driver.readComplete();
    } catch (RuntimeException e) {
      driver.failed(e);
    }
  }

  /** The stream's flow-control writability changed (its window, or the connection's). */
  void writabilityChanged() {
    if (ended || reset || stream.state() == Http2Stream.State.CLOSED) {
      return; // a stream turns unwritable as it closes; its response is written by then
    }
    try {
      driver.writabilityChanged(isWritable());
    } catch (RuntimeException e) {
      driver.failed(e);
    }
  }

  /**
   * Netty closed the stream: both sides ended, a reset either way, or the connection went. After the
   * response ended, the exchange finishes by itself (it is finishing right now). Otherwise it learns
   * that its client is gone in a task of its own, as a channel's handlers learn it after its close,
   * since a reset the gateway sends can close the stream in the middle of what the exchange is doing.
   */
  void closed() {
    if (held != null) {
      held.forEach(h -> ReferenceCountUtil.release(h.message()));
      held.clear();
    }
    reading = false;
    if (ended) {
      driver.markClosing();
      driver.cancelWriteTimer();
    } else {
      try {
        ctx.executor().execute(driver::clientClosed);
      } catch (RejectedExecutionException shutDown) {
        driver.clientClosed(); // the loop is going away: no later turn to wait for
      }
    }
  }

  private void replayHeld() {
    resumeScheduled = false;
    if (!reading || held == null || stream.state() == Http2Stream.State.CLOSED) {
      return;
    }
    int consumed = 0;
    try {
      while (reading && !held.isEmpty()) {
        Held next = held.poll();
        consumed += next.bytes();
        driver.read(next.message());
      }
      driver.readComplete();
    } catch (RuntimeException e) {
      driver.failed(e);
    }
    giveBack(consumed);
  }

  /** Gives {@code bytes} that the exchange took back to the client's window, and sends the WINDOW_UPDATE. */
  private void giveBack(int bytes) {
    if (bytes == 0 || stream.state() == Http2Stream.State.CLOSED) {
      return; // a closed stream's bytes went back to the connection's window when it closed
    }
    try {
      codec.connection().local().flowController().consumeBytes(stream, bytes);
    } catch (Http2Exception e) {
      codec.onError(ctx, true, e);
    }
    codec.flush(ctx);
  }

  // ---- ClientProtocol ----

  @Override
  public Channel channel() {
    return ctx.channel();
  }

  /** Nothing to drop: {@link Http2RequestFields} adds no field of its own ({@code :authority} became Host). */
  @Override
  public void requestArrived(HttpRequest request) {}

  @Override
  public String protocolName(HttpVersion version) {
    return "HTTP/2";
  }

  @Override
  public boolean joinsCookies() {
    return true;
  }

  /** HTTP/2 has no connection-specific headers; the stream ends with the exchange. */
  @Override
  public void prepareAnswer(HttpHeaders headers, boolean keepConnection) {}

  @Override
  public void writeAnswer(FullHttpResponse response) {
    writeFull(response);
    codec.flush(ctx);
  }

  /** Writes a complete response: HEADERS, DATA if it has a body, trailers if it has them; the last ends the stream. */
  private void writeFull(FullHttpResponse response) {
    if (!writable()) {
      response.release();
      return;
    }
    ByteBuf body = response.content();
    HttpHeaders trailers = response.trailingHeaders();
    boolean onlyHead = !body.isReadable() && trailers.isEmpty();
    ChannelFuture written = codec.encoder().writeHeaders(ctx, stream.id(), Http2ResponseFields.head(response.status(), response.headers()),
        0, onlyHead, onlyHead ? ctx.newPromise() : ctx.voidPromise());
    if (body.isReadable()) {
      boolean last = trailers.isEmpty();
      written = codec.encoder().writeData(ctx, stream.id(), body, 0, last, last ? ctx.newPromise() : ctx.voidPromise());
    } else {
      body.release();
    }
    if (!trailers.isEmpty()) {
      written = codec.encoder().writeHeaders(ctx, stream.id(), Http2ResponseFields.trailers(trailers), 0, true,
          ctx.newPromise());
    }
    lastWrite = written;
    ended = true;
  }

  /** Whether the response may still write: the stream is open on this side and its end not written. */
  private boolean writable() {
    Http2Stream.State state = stream.state();
    return !ended && !reset && (state == Http2Stream.State.OPEN || state == Http2Stream.State.HALF_CLOSED_REMOTE);
  }

  @Override
  public void writeContinue() {
    if (writable()) {
      codec.encoder().writeHeaders(ctx, stream.id(), CONTINUE, 0, false, ctx.voidPromise());
      codec.flush(ctx);
    }
  }

  @Override
  public void close() {
    reset(Http2Error.CANCEL);
  }

  /** RFC 8441 (WebSocket over HTTP/2) is not supported: an HTTP/2 request never upgrades. */
  @Override
  public boolean acceptsUpgrade() {
    return false;
  }

  @Override
  public void upgrade(FullHttpResponse switching, ChannelHandler... handlers) {
    throw new UnsupportedOperationException("an HTTP/2 stream does not upgrade");
  }

  // ---- ClientStream ----

  @Override
  public void writeHead(HttpResponseStatus status, HttpHeaders headers) {
    pendingStatus = status;
    pendingHead = headers;
  }

  private void writePendingHead() {
    if (pendingHead != null) {
      Http2Headers head = Http2ResponseFields.head(pendingStatus, pendingHead);
      pendingHead = null;
      if (writable()) {
        codec.encoder().writeHeaders(ctx, stream.id(), head, 0, false, ctx.voidPromise());
      }
    }
  }

  @Override
  public void writeBody(ByteBuf content) {
    writePendingHead();
    if (!writable()) {
      content.release();
      return;
    }
    codec.encoder().writeData(ctx, stream.id(), content, 0, false, ctx.voidPromise());
  }

  @Override
  public void writeEnd(HttpHeaders trailers) {
    if (pendingHead != null && trailers.isEmpty()) {
      Http2Headers head = Http2ResponseFields.head(pendingStatus, pendingHead);
      pendingHead = null;
      if (writable()) {
        lastWrite = codec.encoder().writeHeaders(ctx, stream.id(), head, 0, true, ctx.newPromise());
      }
      ended = true;
      return;
    }
    writePendingHead();
    if (writable()) {
      lastWrite = trailers.isEmpty()
          ? codec.encoder().writeData(ctx, stream.id(), Unpooled.EMPTY_BUFFER, 0, true, ctx.newPromise())
          : codec.encoder().writeHeaders(ctx, stream.id(), Http2ResponseFields.trailers(trailers), 0, true,
              ctx.newPromise());
    }
    ended = true;
  }

  @Override
  public void flush() {
    writePendingHead();
    codec.flush(ctx);
  }

  @Override
  public void writeError(GatewayError error, String requestId, boolean requestFullyRead) {
    writeFull(driver.errorAnswer(error, requestId, requestFullyRead && driver.requestComplete()));
    codec.flush(ctx);
  }

  /** Resets the stream, so the client sees the response as incomplete. */
  @Override
  public void abort() {
    driver.markClosing();
    pendingHead = null;
    reset(Http2Error.INTERNAL_ERROR);
  }

  private void reset(Http2Error error) {
    driver.markClosing();
    if (!reset && stream.state() != Http2Stream.State.CLOSED) {
      reset = true;
      codec.resetStream(ctx, stream.id(), error.code(), ctx.newPromise());
      codec.flush(ctx);
    }
  }

  @Override
  public boolean inReadBurst() {
    return driver.inReadBurst();
  }

  @Override
  public boolean isWritable() {
    return codec.encoder().flowController().isWritable(stream);
  }

  @Override
  public void setReading(boolean reading) {
    if (reading) {
      resumeReading();
    } else {
      this.reading = false;
    }
  }

  /** Takes what arrived meanwhile in a task of its own, as a channel's read would come after this call returns. */
  @Override
  public void resumeReading() {
    reading = true;
    if (held != null && !held.isEmpty() && !resumeScheduled) {
      resumeScheduled = true;
      ctx.executor().execute(this::replayHeld);
    }
  }

  @Override
  public void exchangeDone(boolean requestFullyRead) {
    driver.exchangeEnded();
    // The response ended the stream. If the request body is still coming, a reset (CANCEL) tells the
    // client to stop sending it; only once the response is out, because a reset drops what flow
    // control still holds back.
    driver.markClosing();
    codec.flush(ctx);
    if (lastWrite == null || lastWrite.isDone()) {
      cancelUnfinishedRequest();
    } else {
      lastWrite.addListener(written -> cancelUnfinishedRequest());
    }
  }

  private void cancelUnfinishedRequest() {
    if (stream.state() != Http2Stream.State.CLOSED) {
      reset(Http2Error.CANCEL);
    }
  }
}
