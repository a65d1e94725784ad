package io.sluice.plugins.circuitbreaker;

/**
 * The recent calls a closed breaker judges. Thread-safe and lock-free: calls complete on every
 * event loop at once. Counts may lag a concurrent {@link #record} by a call, which a threshold
 * in percent does not notice.
 */
interface CallWindow {

  /** Records one finished call. */
  void record(boolean failure, boolean slow, long nowNanos);

  /**
   * Whether the window holds at least {@code minimumCalls} calls and the failure rate reaches
   * {@code failurePercent} or the slow-call rate reaches {@code slowPercent} ({@code 0}: not judged).
   */
  boolean exceeds(int minimumCalls, int failurePercent, int slowPercent, long nowNanos);

  /** {@code 12 of 40 calls failed, 3 slow}: what the window holds, for the log line of a transition. */
  String describe(long nowNanos);

  static boolean exceeds(long calls, long failures, long slow, int minimumCalls, int failurePercent, int slowPercent) {
    return calls >= minimumCalls
        && (failures * 100 >= failurePercent * calls || slowPercent > 0 && slow * 100 >= slowPercent * calls);
  }

  static String describe(long calls, long failures, long slow, String span) {
    return failures + " of the " + span + " " + calls + " calls failed, " + slow + " slow";
  }
}
