package io.sluice.server;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.proxy.ClientStream;
import io.sluice.proxy.Exchange;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;

/**
 * The body of a plugin's answer that arrives after its head ({@code StreamedBody}): subscribes to
 * the plugin's publisher and writes what it signals to the client. Every signal is moved to the
 * exchange's event loop, in order, whatever thread sends it (the plugin may feed the body from
 * another loop); the next piece is requested only once the client took the last one, which is
 * the whole of the backpressure. Ends exactly once, through {@link Ending}: complete, cut (the
 * body failed, or broke its announced length), or given up (the client went away).
 *
 * <p>Pieces are wrapped, not copied: the plugin promises not to change them afterwards.
 */
final class StreamedAnswer implements Flow.Subscriber<ByteBuffer> {

  private static final System.Logger LOG = System.getLogger(StreamedAnswer.class.getName());

  /** How the exchange ends, on the event loop. */
  interface Ending {
    /** The body ended ({@code complete}), or the response was cut or abandoned. */
    void ended(boolean complete);
  }

  private final ClientStream client;
  private final Exchange exchange;
  private final EventExecutor loop;
  /** The announced length, or -1. */
  private final long length;
  private final Ending ending;
  private Flow.Subscription subscription;
  private boolean done;
  /** A piece is wanted, but the client is not writable: asked for once it is. */
  private boolean waitingForClient;
  private long sent;

  StreamedAnswer(ClientStream client, Exchange exchange, EventExecutor loop, long length, Ending ending) {
    this.client = client;
    this.exchange = exchange;
    this.loop = loop;
    this.length = length;
    this.ending = ending;
  }

  /** Subscribes to the body; the head is out already. */
  void start(Flow.Publisher<ByteBuffer> source) {
    try {
      source.subscribe(this);
    } catch (RuntimeException e) {
      cut("subscribe failed", e);
    }
  }

  // ---- signals, from any thread ----

  @Override
  public void onSubscribe(Flow.Subscription given) {
    onLoop(() -> subscribed(given));
  }

  @Override
  public void onNext(ByteBuffer piece) {
    onLoop(() -> piece(piece));
  }

  @Override
  public void onError(Throwable failure) {
    onLoop(() -> cut("the body failed", failure));
  }

  @Override
  public void onComplete() {
    onLoop(this::completed);
  }

  // ---- on the event loop ----

  private void subscribed(Flow.Subscription given) {
    if (done || subscription != null) {
      given.cancel(); // too late, or a second subscription (Flow rule 2.5)
      return;
    }
    subscription = given;
    demand();
  }

  private void piece(ByteBuffer piece) {
    if (done) {
      return;
    }
    if (piece == null) {
      cut("a null piece", null);
      return;
    }
    int size = piece.remaining();
    if (length >= 0 && sent + size > length) {
      cut("more than the announced " + length + " bytes", null);
      return;
    }
    if (size > 0) {
      sent += size;
      exchange.addResponseBytes(size);
      client.writeBody(Unpooled.wrappedBuffer(piece));
      client.flush();
    }
    demand();
  }

  private void completed() {
    if (done) {
      return;
    }
    if (length >= 0 && sent != length) {
      cut(sent + " of the announced " + length + " bytes", null);
      return;
    }
    done = true;
    client.writeEnd(EmptyHttpHeaders.INSTANCE);
    client.flush();
    ending.ended(true);
  }

  /** The client's writability changed: a piece held back for it is asked for now. */
  void writable(boolean writable) {
    if (writable && waitingForClient && !done) {
      demand();
    }
  }

  /** The client went away: the body is not wanted any more. The caller ends the exchange. */
  void abandon() {
    if (!done) {
      done = true;
      cancelSubscription();
    }
  }

  private void demand() {
    if (subscription == null) {
      return;
    }
    if (!client.isWritable()) {
      waitingForClient = true;
      return;
    }
    waitingForClient = false;
    try {
      subscription.request(1);
    } catch (RuntimeException e) {
      cut("request failed", e);
    }
  }

  /** The response cannot be completed: the client must see it cut, not take it for whole. */
  private void cut(String why, Throwable failure) {
    if (done) {
      return;
    }
    done = true;
    cancelSubscription();
    LOG.log(System.Logger.Level.DEBUG, "streamed answer to request " + exchange.requestId() + " cut: " + why, failure);
    exchange.aborted("plugin_stream_failed");
    client.abort();
    ending.ended(false);
  }

  private void cancelSubscription() {
    if (subscription != null) {
      try {
        subscription.cancel();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "cancelling the streamed answer to request " + exchange.requestId() + " failed", e);
      }
    }
  }

  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // the loop shut down: its connections, this client's among them, went with it
    }
  }
}
