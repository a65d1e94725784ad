package io.sluice.testing.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Records the responses of an asynchronous call, for tests to wait on. */
public final class RecordingObserver implements StreamObserver<byte[]> {

  private final List<byte[]> messages = new CopyOnWriteArrayList<>();
  private final Count received = new Count();
  private final CompletableFuture<Status> done = new CompletableFuture<>();

  @Override
  public void onNext(byte[] message) {
    messages.add(message);
    received.increment();
  }

  @Override
  public void onError(Throwable cause) {
    done.complete(Status.fromThrowable(cause));
  }

  @Override
  public void onCompleted() {
    done.complete(Status.OK);
  }

  /** The messages so far. */
  public List<byte[]> messages() {
    return List.copyOf(messages);
  }

  /** Waits until {@code count} messages have arrived; false if {@code timeout} passed first. */
  public boolean awaitMessages(int count, Duration timeout) throws InterruptedException {
    return received.await(count, timeout);
  }

  /** Waits for the call to end and returns its status ({@code OK} when it completed). */
  public Status awaitDone(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);  // never: the future is only ever completed normally
    }
  }

  /** Whether the call has ended. */
  public boolean isDone() {
    return done.isDone();
  }
}
