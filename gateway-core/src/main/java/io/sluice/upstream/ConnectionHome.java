package io.sluice.upstream;

/**
 * What an {@link UpstreamConnection} reports to when its exchange ends: its pool (HTTP/1.1) or
 * the HTTP/2 connection it is a stream of.
 */
interface ConnectionHome {

  /** The connection completed its exchange cleanly and may serve another request. */
  void release(UpstreamConnection connection);

  /** The connection will never serve again (it is closed, or about to be). Called once. */
  void forget(UpstreamConnection connection);
}
