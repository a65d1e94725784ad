package io.sluice.eventloop;

/** The graceful drain as it reaches a client connection's pipeline: a user event, fired once per connection. */
public final class Drain {

  /** Asks a client connection to finish what it serves and close (idle HTTP connections at once, WebSockets with 1001). */
  public static final Object EVENT = new Object();

  private Drain() {}
}
