package io.sluice.config;

import java.time.Duration;
import java.util.Set;

/**
 * Retries of a route ({@code routes[].retry}): when an attempt fails in a way listed in
 * {@code on}, the request is sent again, to another endpoint when the upstream has one, after a
 * jittered backoff, as long as attempts are left and the upstream's retry budget allows.
 * Only requests that are safe to repeat are retried: idempotent methods (or any method on a
 * route with {@code retry_non_idempotent: true}); a connect failure, where nothing was sent,
 * and a gRPC UNAVAILABLE answer, where the server says it served nothing, for any method. A request body must be complete and kept by the gateway (bounded by
 * {@code bufferBodyBytes}) to be sent again.
 *
 * @param attempts the most times a request is sent, the first included; at least 2
 * @param on what failures are retried
 * @param statuses response statuses that are retried (nothing of the response reaches the client)
 * @param perTryTimeout how long each attempt waits for the response head; {@code null} for the
 *     route's (or upstream's) response timeout
 * @param backoffBase the first retry waits a random time up to this; each next one up to twice as long
 * @param backoffMax the longest a retry waits
 * @param bufferBodyBytes request bodies up to this size are kept (the received buffers, retained
 *     while they are forwarded, not delayed) until the exchange ends, so that they can be sent
 *     again; 0 to retry only bodyless requests once they were sent
 */
public record RetryPolicy(
    int attempts,
    Set<Condition> on,
    Set<Integer> statuses,
    Duration perTryTimeout,
    Duration backoffBase,
    Duration backoffMax,
    long bufferBodyBytes) {

  public static final Set<Condition> DEFAULT_ON = Set.of(Condition.CONNECT_FAILURE, Condition.RESET, Condition.UNAVAILABLE);
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);
  public static final long DEFAULT_BUFFER_BODY_BYTES = 64 * 1024;

  public RetryPolicy {
    on = Set.copyOf(on);
    statuses = Set.copyOf(statuses);
  }

  /** Whether an attempt that failed with {@code condition} may be retried. */
  public boolean retries(Condition condition) {
    return on.contains(condition);
  }

  /** Failures that can be retried, besides statuses. */
  public enum Condition {
    /**
     * The connection could not be opened (refused, unreachable, connect timeout, TLS failure, a
     * host name that does not resolve): nothing was sent.
     */
    CONNECT_FAILURE,
    /** The connection or stream was closed or reset before any byte of the response. */
    RESET,
    /** No response head came within the per-try (or response) timeout. */
    TIMEOUT,
    /** A gRPC call was answered with status UNAVAILABLE (14) and no messages. */
    UNAVAILABLE
  }
}
