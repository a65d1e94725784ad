package io.sluice.plugin;

import io.sluice.spi.Decision;
import io.sluice.spi.Exchange;
import java.util.concurrent.CompletionException;

/**
 * What an awaited stage comes to, on the event loop: the resume step's decision, or the failure
 * (the stage's own, unwrapped, or the resume step's) that makes it a plugin error.
 */
record Resumed(Decision decision, Throwable failure) {

  static <T> Resumed of(Decision.Await<T> await, Exchange exchange, T result, Throwable failure) {
    if (failure != null) {
      return new Resumed(null, failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
    }
    try {
      return new Resumed(await.resume().decide(exchange, result), null);
    } catch (RuntimeException | LinkageError e) {
      return new Resumed(null, e);
    }
  }
}
