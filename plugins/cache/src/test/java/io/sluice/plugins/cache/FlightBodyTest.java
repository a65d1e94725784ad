package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The body coalesced requests read while it arrives, under contention: one thread appends as a
 * leader's event loop does, readers on other threads ask for pieces one at a time, each from its
 * own thread pool; every reader must get exactly the bytes, in order, and then the end (or the
 * failure), whatever the interleaving.
 */
class FlightBodyTest {

  static final int READERS = 8;
  static final int LIMIT = 1 << 20;

  @Test
  void everyReaderGetsTheWholeBodyInOrderWhileItGrows() throws Exception {
    for (int round = 0; round < 20; round++) {
      Pass.Capture capture = capture();
      FlightBody body = new FlightBody(capture, 0);
      List<Reader> readers = subscribe(body);
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (capture.length < LIMIT / 2) {
        byte[] piece = new byte[random.nextInt(1, 5000)];
        random.nextBytes(piece);
        assertThat(capture.add(ByteBuffer.wrap(piece))).isTrue();
        written.write(piece);
        body.grew(capture.bytes, capture.length);
      }
      body.complete();
      for (Reader reader : readers) {
        assertThat(reader.done.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(reader.received.toByteArray()).isEqualTo(written.toByteArray());
      }
    }
  }

  @Test
  void aFailureReachesEveryReaderAfterWhatItGot() throws Exception {
    Pass.Capture capture = capture();
    FlightBody body = new FlightBody(capture, 0);
    List<Reader> readers = subscribe(body);
    capture.add(ByteBuffer.wrap(new byte[1000]));
    body.grew(capture.bytes, capture.length);
    body.fail();
    for (Reader reader : readers) {
      assertThat(reader.done.handle((ok, failure) -> failure).get(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(reader.received.size()).isLessThanOrEqualTo(1000);
    }
  }

  static Pass.Capture capture() {
    return new Pass.Capture(200, Map.of(), 0, 60, CacheControl.parse(List.of()), Keys.NO_VALUES, Keys.NO_VALUES, LIMIT, -1);
  }

  static List<Reader> subscribe(FlightBody body) {
    List<Reader> readers = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      Reader reader = new Reader();
      body.publisher().subscribe(reader);
      readers.add(reader);
    }
    return readers;
  }

  /** A subscriber that asks for the next piece from a thread of its own, as the gateway does from the exchange's loop. */
  static final class Reader implements Flow.Subscriber<ByteBuffer> {
    final ExecutorService loop = Executors.newSingleThreadExecutor();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription given) {
      loop.execute(() -> {
        subscription = given;
        given.request(1);
      });
    }

    @Override
    public void onNext(ByteBuffer piece) {
      loop.execute(() -> { // read later, while the body goes on growing: the piece's bytes must not change
        byte[] bytes = new byte[piece.remaining()];
        piece.get(bytes);
        received.writeBytes(bytes);
        subscription.request(1);
      });
    }

    @Override
    public void onError(Throwable failure) {
      loop.execute(() -> done.completeExceptionally(failure));
      loop.shutdown();
    }

    @Override
    public void onComplete() {
      loop.execute(() -> done.complete(null));
      loop.shutdown();
    }
  }
}
