package io.sluice.testing.plugins;

import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.Exchange;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.StreamedBody;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TRANSFORM: answers every request with a streamed body ({@code StreamedBody}) that the test feeds
 * from its own thread: each subscription the gateway makes shows up in {@link #SOURCES} as a
 * {@link Source}, which sends pieces, ends or fails the body, and records the gateway's demand and
 * its cancel. With {@code auto_bytes}, the source itself answers each request with a piece of
 * {@code piece_bytes}, until {@code auto_bytes} went out, from another thread.
 */
public final class StreamTestPlugin implements PluginFactory<StreamTestPlugin.Config> {

  /** The bodies the gateway subscribed to, in order. */
  public static final LinkedBlockingQueue<Source> SOURCES = new LinkedBlockingQueue<>();

  public record Config(long length, long autoBytes, int pieceBytes) {
    public Config {
      if (length == 0) {
        length = -1; // unset: unknown
      }
      if (pieceBytes == 0) {
        pieceBytes = 64 * 1024;
      }
    }
  }

  public String name() { return "test_stream"; }
  public Class<Config> configType() { return Config.class; }

  public Plugin create(Config config, PluginContext context) {
    return new Plugin() {
      @Override
      public Decision onRequest(Exchange exchange) {
        Flow.Publisher<ByteBuffer> publisher = subscriber -> {
          Source source = new Source(subscriber, config);
          SOURCES.add(source);
          subscriber.onSubscribe(source);
        };
        return Decision.respond(DirectResponse.of(200).withHeader("content-type", "text/plain")
            .withHeader("x-streamed", "yes").withStream(StreamedBody.of(publisher, config.length())));
      }
    };
  }

  /** The test's end of one streamed body. */
  public static final class Source implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final Config config;
    /** Pieces requested so far. */
    public final AtomicLong requested = new AtomicLong();
    /** Bytes sent by the automatic feed. */
    public final AtomicLong sent = new AtomicLong();
    public final CompletableFuture<Void> cancelled = new CompletableFuture<>();

    Source(Flow.Subscriber<? super ByteBuffer> subscriber, Config config) {
      this.subscriber = subscriber;
      this.config = config;
    }

    @Override
    public void request(long n) {
      requested.addAndGet(n);
      if (config.autoBytes() > 0) {
        // from another thread, as a body fed by another event loop would be
        CompletableFuture.runAsync(this::feed);
      }
    }

    private synchronized void feed() {
      long left = config.autoBytes() - sent.get();
      if (left <= 0 || cancelled.isDone()) {
        return;
      }
      int size = (int) Math.min(left, config.pieceBytes());
      sent.addAndGet(size);
      subscriber.onNext(ByteBuffer.wrap(new byte[size]));
      if (sent.get() == config.autoBytes()) {
        subscriber.onComplete();
      }
    }

    @Override
    public void cancel() {
      cancelled.complete(null);
    }

    public synchronized void send(String text) {
      subscriber.onNext(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    public synchronized void end() {
      subscriber.onComplete();
    }

    public synchronized void fail() {
      subscriber.onError(new IllegalStateException("the source broke"));
    }

    /** Waits until the gateway asked for {@code pieces} pieces in all. */
    public void awaitRequested(long pieces) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (requested.get() < pieces) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the gateway asked for " + requested.get() + " pieces, not " + pieces);
        }
        Thread.sleep(5);
      }
    }
  }

  /** The next body the gateway subscribed to. */
  public static Source next() throws InterruptedException {
    Source source = SOURCES.poll(10, TimeUnit.SECONDS);
    if (source == null) {
      throw new AssertionError("the gateway did not subscribe to a streamed body");
    }
    return source;
  }
}
