package io.sluice.plugins.ratelimit;

/**
 * A limiter's answer packed into one {@code long}, so that deciding allocates nothing: whether the
 * request is allowed, the budget left, and a time in milliseconds (allowed: until the budget is
 * whole again or the window ends; rejected: until a retry can succeed).
 */
final class Verdict {

  private static final long REJECTED = 1L << 63;
  private static final long MAX_REMAINING = Integer.MAX_VALUE;
  private static final long MAX_MILLIS = 0xFFFF_FFFFL;

  private Verdict() {}

  static long allowed(long remaining, long resetNanos) {
    return Math.min(Math.max(remaining, 0), MAX_REMAINING) << 32 | millis(resetNanos);
  }

  static long rejected(long retryAfterNanos) {
    return REJECTED | millis(retryAfterNanos);
  }

  static boolean isAllowed(long verdict) {
    return verdict >= 0;
  }

  static long remaining(long verdict) {
    return (verdict & ~REJECTED) >>> 32;
  }

  /** Allowed: milliseconds until the budget is whole again; rejected: until a retry can succeed. */
  static long millisOf(long verdict) {
    return verdict & MAX_MILLIS;
  }

  /** Rounded up, so that a client waiting this long is never early. */
  private static long millis(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    return Math.min((nanos + 999_999) / 1_000_000, MAX_MILLIS);
  }
}
