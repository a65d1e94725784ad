package io.sluice.upstream;

/**
 * Why an upstream exchange failed.
 *
 * @param kind the category, which decides the status a client sees
 * @param detail an operator-facing description (never sent to clients)
 * @param responseStarted whether any part of the response had been received
 */
public record UpstreamFailure(Kind kind, String detail, boolean responseStarted) {

  /** Categories of failure. */
  public enum Kind {
    /** The endpoint's host name could not be resolved (no such name, no answer, DNS unreachable). */
    RESOLVE,
    /** The TCP connection could not be established (refused, unreachable, connect timeout). */
    CONNECT,
    /** The connection was reset or closed before the response completed. */
    CLOSED,
    /** The upstream sent something that is not a valid HTTP response. */
    MALFORMED,
    /** No connection became free in time (all at the per-endpoint cap). */
    POOL_EXHAUSTED,
    /**
     * The upstream refused an HTTP/2 stream before processing it (a GOAWAY that excluded it, or
     * RST_STREAM REFUSED_STREAM): the request can be sent again if nothing of it is lost.
     */
    REFUSED
  }
}
