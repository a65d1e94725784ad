package io.sluice.plugins.cache;

import io.sluice.spi.DirectResponse;
import io.sluice.spi.Headers;
import io.sluice.spi.StreamedBody;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A response on its way into the store whose body the requests that coalesced on it (see
 * {@code CachePlugin.joinFlight}) read while it arrives: its head as it will be stored, and its
 * bytes so far. The request that went upstream appends on its event loop ({@link #grew}); each
 * waiter reads through its own {@link #publisher()}, from the first byte, on whatever thread asks,
 * without locks: the bytes are published by a volatile length, and the array's bytes below that
 * length never change again (the capture only writes past it, or into a new, larger array).
 */
final class FlightBody {

  private static final int OPEN = 0;
  private static final int COMPLETE = 1;
  private static final int FAILED = 2;

  final int status;
  /** The head as stored: without per-exchange fields ({@code Age}, {@code Content-Length}...). */
  final Map<String, String> headers;
  /** The announced length, or -1. */
  final long expected;
  final long initialAge;
  final long lifetime;
  /** The ticker's time when the head arrived: the entry's age counts from here, as a stored one's from its storage. */
  final long headNanos;
  final String[] varyNames;
  final String[] varyValues;

  private volatile byte[] bytes;
  private volatile int length;
  private volatile int state = OPEN;
  private final ConcurrentLinkedQueue<Reader> readers = new ConcurrentLinkedQueue<>();

  FlightBody(Pass.Capture capture, long headNanos) {
    this.status = capture.status;
    this.headers = capture.headers;
    this.expected = capture.expected;
    this.initialAge = capture.initialAge;
    this.lifetime = capture.lifetime;
    this.headNanos = headNanos;
    this.varyNames = capture.varyNames;
    this.varyValues = capture.varyValues;
    this.bytes = capture.bytes;
  }

  // ---- the request that went upstream, on its event loop ----

  /** The body is now the first {@code newLength} bytes of {@code array}. */
  void grew(byte[] array, int newLength) {
    bytes = array;
    length = newLength; // after the array: a reader that sees the length sees an array that holds it
    signal();
  }

  /** The body is whole (and stored). */
  void complete() {
    state = COMPLETE;
    signal();
  }

  /** The body will not be whole: the upstream failed, or it outgrew {@code max_object_bytes}. Readers are cut. */
  void fail() {
    if (state == OPEN) {
      state = FAILED;
      signal();
    }
  }

  private void signal() {
    for (Reader reader : readers) {
      reader.drain();
    }
  }

  // ---- the waiters ----

  boolean failed() {
    return state == FAILED;
  }

  /** Its age in seconds now, as a stored response's (RFC 9111 section 4.2.3). */
  long age(long nowNanos) {
    return initialAge + Math.max(0, nowNanos - headNanos) / 1_000_000_000L;
  }

  /** Whether it answers a request with these header values ({@code Vary}). */
  boolean matches(Headers request) {
    for (int i = 0; i < varyNames.length; i++) {
      if (!Objects.equals(varyValues[i], Keys.headerValue(request, varyNames[i]))) {
        return false;
      }
    }
    return true;
  }

  /** An answer with this head, {@code Age} and {@code Cache-Status}, and the body as it arrives. */
  DirectResponse answer(long age, String cacheStatus) {
    Map<String, String> out = new LinkedHashMap<>(headers);
    out.put("age", Long.toString(age));
    out.put("cache-status", cacheStatus);
    return new DirectResponse(status, out, "").withStream(StreamedBody.of(publisher(), expected));
  }

  /** The body for one waiter, from its first byte; it holds nothing until subscribed to. */
  Flow.Publisher<ByteBuffer> publisher() {
    return subscriber -> {
      Reader reader = new Reader(Objects.requireNonNull(subscriber, "subscriber"));
      readers.add(reader);
      subscriber.onSubscribe(reader);
      reader.drain();
    };
  }

  /**
   * One waiter's subscription. Its signals are serialized by {@code wip} (the usual drain loop): the
   * waiter's requests and the upstream side's appends may call {@link #drain} at once from two threads.
   */
  private final class Reader implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean cancelled;
    /** Bytes handed out; only touched inside the drain loop. */
    private int sent;
    private boolean terminated;

    Reader(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("request(" + n + ") (expected: > 0, Flow rule 3.9)"));
        return;
      }
      requested.getAndAccumulate(n, (now, more) -> now + more < 0 ? Long.MAX_VALUE : now + more);
      drain();
    }

    @Override
    public void cancel() {
      cancelled = true;
      readers.remove(this);
    }

    void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      do {
        if (cancelled || terminated) {
          return;
        }
        int now = state;
        int available = length;
        if (now == FAILED) {
          finish();
          subscriber.onError(new IllegalStateException("the upstream's response did not complete"));
          return;
        }
        if (sent < available && requested.get() > 0) {
          byte[] array = bytes; // read after the length: it holds at least that many bytes
          ByteBuffer piece = ByteBuffer.wrap(array, sent, available - sent).slice().asReadOnlyBuffer();
          sent = available;
          requested.decrementAndGet();
          subscriber.onNext(piece);
        }
        if (now == COMPLETE && sent == available) {
          finish();
          subscriber.onComplete();
          return;
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void finish() {
      terminated = true;
      readers.remove(this);
    }
  }
}
