package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.config.RetryPolicy;
import io.sluice.upstream.RetryBudget;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One exchange's retries under its route's {@link RetryPolicy}: the attempts made, the slot of the
 * upstream's {@link RetryBudget} it holds once it retries, the request body kept to be sent again,
 * and the backoff before each retry. Made only for routes that retry; used on the exchange's event
 * loop only. {@link #release()} gives back what it holds.
 */
final class Retries {

  private final RetryPolicy policy;
  private final RetryBudget budget;
  /** Attempts sent (or being sent), the first included. */
  private int attemptsSent = 1;
  private boolean holdsBudgetSlot;
  /**
   * The request body so far, as retained duplicates of the buffers forwarded (no copy);
   * {@code null} while not kept, or for good once it outgrew the policy's bound.
   */
  private ArrayDeque<ByteBuf> body;
  private long bodyBytes;
  /** The request's trailers once it ended. */
  private HttpHeaders trailers;

  Retries(RetryPolicy policy, RetryBudget budget) {
    this.policy = policy;
    this.budget = budget;
  }

  RetryPolicy policy() {
    return policy;
  }

  /** Starts keeping the request body, to send it again; for bodies no larger than the policy's bound. */
  void keepBody() {
    body = new ArrayDeque<>();
  }

  /** Whether all of the body forwarded so far is kept. */
  boolean keepsBody() {
    return body != null;
  }

  /**
   * Keeps a retained duplicate of {@code content}, about to go upstream, while the body stays within
   * the policy's bound; past it, lets go of all of it for good.
   */
  void keep(ByteBuf content) {
    if (body == null) {
      return;
    }
    bodyBytes += content.readableBytes();
    if (bodyBytes > policy.bufferBodyBytes()) {
      releaseBody();
      return;
    }
    body.add(content.retainedDuplicate());
  }

  void keepTrailers(HttpHeaders requestTrailers) {
    trailers = requestTrailers;
  }

  /** The kept body for another attempt, as new retained duplicates; {@code null} when none is kept. */
  ArrayDeque<ByteBuf> bodyForAttempt() {
    if (body == null) {
      return null;
    }
    ArrayDeque<ByteBuf> copy = new ArrayDeque<>(body.size());
    for (ByteBuf part : body) {
      copy.add(part.retainedDuplicate());
    }
    return copy;
  }

  HttpHeaders trailers() {
    return trailers;
  }

  boolean attemptsLeft() {
    return attemptsSent < policy.attempts();
  }

  /** Takes a slot of the upstream's retry budget unless one is held already; {@code false} when the budget is spent. */
  boolean takeBudgetSlot() {
    if (!holdsBudgetSlot) {
      if (!budget.tryAcquire()) {
        return false;
      }
      holdsBudgetSlot = true;
    }
    return true;
  }

  /** Counts the next attempt and returns how long to wait before it: a random time up to the backoff (full jitter). */
  long nextBackoffNanos() {
    long ceiling = policy.backoffBase().toNanos() << Math.min(20, attemptsSent - 1);
    ceiling = Math.min(ceiling, policy.backoffMax().toNanos());
    attemptsSent++;
    return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** Releases the kept body and gives the budget slot back; the exchange is over. */
  void release() {
    releaseBody();
    if (holdsBudgetSlot) {
      holdsBudgetSlot = false;
      budget.release();
    }
  }

  private void releaseBody() {
    if (body != null) {
      body.forEach(ByteBuf::release);
      body = null;
    }
  }
}
