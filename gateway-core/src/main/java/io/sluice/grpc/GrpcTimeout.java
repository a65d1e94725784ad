package io.sluice.grpc;

/**
 * The {@code grpc-timeout} header: 1 to 8 ASCII digits followed by one unit letter, {@code H}
 * (hours), {@code M} (minutes), {@code S} (seconds), {@code m} (milliseconds), {@code u}
 * (microseconds) or {@code n} (nanoseconds), as in the gRPC over HTTP/2 spec.
 *
 * <p>The gateway parses what the caller sent, subtracts what it has used, and passes the rest on
 * to the upstream: {@code GrpcTimeout.format(deadline - now)}.
 */
public final class GrpcTimeout {

  /** The largest number the spec allows: eight digits. */
  static final long MAX_VALUE = 99_999_999L;

  private static final int MAX_DIGITS = 8;

  // Finest first: format() picks the first unit whose value fits in eight digits.
  private static final char[] UNITS = {'n', 'u', 'm', 'S', 'M', 'H'};
  private static final long[] UNIT_NANOS = {
      1L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};

  private GrpcTimeout() {}

  /**
   * The timeout in nanoseconds, or {@code -1} when {@code value} is {@code null} or not a valid
   * {@code grpc-timeout} (no digits, more than eight, a sign, whitespace, an unknown unit). A
   * value too large for a {@code long} of nanoseconds ({@code 99999999H} is about 11,000 years)
   * is saturated to {@link Long#MAX_VALUE}, which callers can treat as "no deadline".
   * Allocates nothing.
   */
  public static long parseNanos(CharSequence value) {
    if (value == null) {
      return -1;
    }
    int length = value.length();
    if (length < 2 || length > MAX_DIGITS + 1) {
      return -1;
    }
    long unitNanos = unitNanos(value.charAt(length - 1));
    if (unitNanos < 0) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < length - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    return amount > Long.MAX_VALUE / unitNanos ? Long.MAX_VALUE : amount * unitNanos;
  }

  /**
   * The shortest header value for {@code nanos} of remaining time.
   *
   * <p>Picks the finest unit whose amount fits in eight digits (so precision is kept), then moves
   * to coarser units while that is exact, so one second is {@code 1S}, not {@code 1000000u}.
   * Amounts are rounded <em>down</em>: the upstream never gets more time than the caller has
   * left, and it loses less than one unit of the unit chosen, which is under 0.001% of the value
   * (a coarser unit is only chosen when the finer one needs more than eight digits). Every
   * {@code long} fits: {@link Long#MAX_VALUE} nanoseconds is {@code 2562047H}.
   *
   * @throws IllegalArgumentException if {@code nanos} is negative: a deadline that has passed
   *     must be answered with DEADLINE_EXCEEDED by the gateway, not forwarded.
   */
  public static String format(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("remaining time: " + nanos + "ns (expected: >= 0)");
    }
    int unit = 0;
    while (nanos / UNIT_NANOS[unit] > MAX_VALUE) {
      unit++;
    }
    long amount = nanos / UNIT_NANOS[unit];
    while (amount != 0 && unit + 1 < UNITS.length && (amount * UNIT_NANOS[unit]) % UNIT_NANOS[unit + 1] == 0) {
      amount = amount * UNIT_NANOS[unit] / UNIT_NANOS[unit + 1];
      unit++;
    }
    return Long.toString(amount) + UNITS[unit];
  }

  private static long unitNanos(char unit) {
    for (int i = 0; i < UNITS.length; i++) {
      if (UNITS[i] == unit) {
        return UNIT_NANOS[i];
      }
    }
    return -1;
  }
}
