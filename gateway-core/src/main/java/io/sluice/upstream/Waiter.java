package io.sluice.upstream;

import io.netty.util.concurrent.ScheduledFuture;

/** A request waiting in a pool for a connection (or stream), with the timer that gives up on it. */
final class Waiter {
  final UpstreamPool.Acquirer acquirer;
  final UpstreamPool.Settings settings;
  ScheduledFuture<?> timeout;

  Waiter(UpstreamPool.Acquirer acquirer, UpstreamPool.Settings settings) {
    this.acquirer = acquirer;
    this.settings = settings;
  }
}
