package com.example.sluice;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests a guard accepted and rejected. One instance serves exchanges on every event
 * loop at once, so the counters are {@link LongAdder}s: cheap to bump from many threads, exact
 * when read.
 */
final class GuardCounts {

  private final LongAdder accepted = new LongAdder();
  private final LongAdder rejected = new LongAdder();

  void countAccepted() {
    accepted.increment();
  }

  void countRejected() {
    rejected.increment();
  }

  long accepted() {
    return accepted.sum();
  }

  long rejected() {
    return rejected.sum();
  }
}
