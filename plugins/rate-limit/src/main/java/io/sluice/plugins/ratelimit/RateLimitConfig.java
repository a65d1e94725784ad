package io.sluice.plugins.ratelimit;

import io.sluice.spi.Headers;
import io.sluice.spi.OneOrMore;
import java.time.Duration;
import java.util.List;

/**
 * The {@code rate_limit} plugin's YAML: one limit written flat, or several under {@code limits}
 * (all are checked; the most restrictive answers), and where they are counted. See
 * {@code docs/plugins/rate-limit.md}.
 *
 * {@snippet lang=yaml :
 * - rate_limit: { algorithm: sliding_window, limit: 100, window: 1m, key: client_ip }
 * - rate_limit:
 *     limits:
 *       - { algorithm: token_bucket, limit: 10, window: 1s, burst: 20, key: claim:sub }
 *       - { algorithm: concurrency, limit: 50, key: consumer }
 * }
 *
 * @param algorithm the flat limit's algorithm
 * @param limit the flat limit's requests per window (in flight, for {@code concurrency})
 * @param window the flat limit's window
 * @param burst the flat limit's burst (token and leaky bucket)
 * @param key the flat limit's key: one part or a list of parts (composite)
 * @param onLimit the flat limit's answer when it is exceeded: {@code reject} (default) or {@code delay} (leaky bucket)
 * @param maxDelay the flat limit's longest delay with {@code on_limit: delay}
 * @param limits several limits, instead of the flat one
 * @param store where counters live: {@code local} (default) or {@code redis}
 * @param failureMode with {@code store: redis}, what happens while Redis fails: {@code open} (default) or {@code closed}
 * @param instances with {@code store: redis} and {@code failure_mode: open}: how many gateway instances
 *     share the limits, so that each answers from a local limit of {@code limit / instances} while Redis fails; 1 by default
 * @param headers whether allowed responses carry the remaining budget ({@code RateLimit}, {@code X-RateLimit-*}); true by default
 * @param maxKeys how many keys each limit remembers at most (least recently used ones go first); 100000 by default
 */
public record RateLimitConfig(
    Algorithm algorithm,
    Long limit,
    Duration window,
    Long burst,
    @OneOrMore List<String> key,
    OnLimit onLimit,
    Duration maxDelay,
    List<Limit> limits,
    Store store,
    FailureMode failureMode,
    Integer instances,
    Boolean headers,
    Integer maxKeys) {

  /** The most counted in one sliding window: its state packs two counts into one word. */
  static final long MAX_SLIDING_LIMIT = (1L << 24) - 1;
  static final int DEFAULT_MAX_KEYS = 100_000;

  public RateLimitConfig {
    boolean flat = algorithm != null || limit != null || window != null || burst != null || !key.isEmpty()
        || onLimit != null || maxDelay != null;
    if (flat && !limits.isEmpty()) {
      throw new IllegalArgumentException("both a flat limit (algorithm, limit, ...) and limits are set"
          + " (expected: one limit written flat, or several under limits)");
    }
    if (flat) {
      limits = List.of(new Limit(algorithm, limit, window, burst, key, onLimit, maxDelay));
    } else if (limits.isEmpty()) {
      throw new IllegalArgumentException("no limit (expected: algorithm, limit, window and key, or several under limits)");
    }
    limits = List.copyOf(limits);
    store = store == null ? Store.LOCAL : store;
    if (failureMode != null && store != Store.REDIS) {
      throw new IllegalArgumentException("failure_mode: only applies with store: redis");
    }
    failureMode = failureMode == null ? FailureMode.OPEN : failureMode;
    if (instances != null && store != Store.REDIS) {
      throw new IllegalArgumentException("instances: only applies with store: redis (it divides the limits while Redis fails)");
    }
    if (instances != null && instances < 1) {
      throw new IllegalArgumentException("instances: " + instances + " (expected: at least 1, the number of gateway instances sharing the limits)");
    }
    instances = instances == null ? 1 : instances;
    headers = headers == null ? Boolean.TRUE : headers;
    if (maxKeys != null && maxKeys < 1) {
      throw new IllegalArgumentException("max_keys: " + maxKeys + " (expected: at least 1)");
    }
    maxKeys = maxKeys == null ? DEFAULT_MAX_KEYS : maxKeys;
  }

  /**
   * One limit.
   *
   * @param algorithm how requests are counted
   * @param limit requests per {@code window}; for {@code concurrency}, requests in flight at once
   * @param window the period {@code limit} applies to (not for {@code concurrency})
   * @param burst token bucket: how many tokens the bucket holds ({@code limit} by default); leaky bucket:
   *     how many requests may pass at once before spacing starts (1 by default)
   * @param key what is counted separately: {@code client_ip}, {@code consumer}, {@code route}, {@code global},
   *     {@code header:NAME}, {@code claim:NAME}, or a list of these (composite); {@code client_ip} by default
   * @param onLimit {@code reject} (default), or {@code delay} (leaky bucket only): hold the request until its turn
   * @param maxDelay with {@code on_limit: delay}: the longest a request is held; longer waits are rejected
   */
  public record Limit(
      Algorithm algorithm, Long limit, Duration window, Long burst, @OneOrMore List<String> key, OnLimit onLimit, Duration maxDelay) {

    public Limit {
      if (algorithm == null) {
        throw new IllegalArgumentException("algorithm: missing (expected one of: token_bucket, sliding_window, fixed_window,"
            + " leaky_bucket, concurrency)");
      }
      if (limit == null || limit < 1) {
        throw new IllegalArgumentException("limit: " + (limit == null ? "missing" : limit)
            + " (expected: a whole number of requests, at least 1)");
      }
      if (algorithm == Algorithm.SLIDING_WINDOW && limit > MAX_SLIDING_LIMIT) {
        throw new IllegalArgumentException("limit: " + limit + " (expected: at most " + MAX_SLIDING_LIMIT + " for sliding_window)");
      }
      if (algorithm == Algorithm.FIXED_WINDOW && limit > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("limit: " + limit + " (expected: at most " + Integer.MAX_VALUE + " for fixed_window)");
      }
      if (algorithm == Algorithm.CONCURRENCY) {
        if (window != null) {
          throw new IllegalArgumentException("window: concurrency counts requests in flight and has no window");
        }
      } else if (window == null || window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("window: " + (window == null ? "missing" : Answers.human(window))
            + " (expected: a duration such as 1s or 1m)");
      } else if (window.toNanos() / limit < 1) {
        throw new IllegalArgumentException("limit: " + limit + " per " + Answers.human(window) + " is more than one per nanosecond");
      }
      if (burst != null) {
        if (algorithm != Algorithm.TOKEN_BUCKET && algorithm != Algorithm.LEAKY_BUCKET) {
          throw new IllegalArgumentException("burst: only token_bucket and leaky_bucket have a burst");
        }
        if (burst < 1) {
          throw new IllegalArgumentException("burst: " + burst + " (expected: at least 1)");
        }
      }
      if (key.isEmpty()) {
        key = List.of("client_ip");
      }
      for (String part : key) {
        checkKeyPart(part);
      }
      key = List.copyOf(key);
      onLimit = onLimit == null ? OnLimit.REJECT : onLimit;
      if (onLimit == OnLimit.DELAY && algorithm != Algorithm.LEAKY_BUCKET) {
        throw new IllegalArgumentException("on_limit: delay only works with algorithm: leaky_bucket");
      }
      if (maxDelay != null && onLimit != OnLimit.DELAY) {
        throw new IllegalArgumentException("max_delay: only applies with on_limit: delay");
      }
      if (onLimit == OnLimit.DELAY && (maxDelay == null || maxDelay.isZero() || maxDelay.isNegative())) {
        throw new IllegalArgumentException("max_delay: " + (maxDelay == null ? "missing" : maxDelay)
            + " (expected: how long a request may be held, such as 2s; keep it below the plugin's timeout)");
      }
    }

    private static void checkKeyPart(String part) {
      switch (part) {
        case "client_ip", "consumer", "route", "global" -> {
          return;
        }
        default -> {
          if (part.startsWith("header:") && Headers.isValidName(part.substring(7))) {
            return;
          }
          if (part.startsWith("claim:") && part.length() > 6) {
            return;
          }
        }
      }
      throw new IllegalArgumentException("key: '" + part
          + "' (expected: client_ip, consumer, route, global, header:NAME or claim:NAME, or a list of these)");
    }
  }

  /** How requests are counted. */
  public enum Algorithm { TOKEN_BUCKET, SLIDING_WINDOW, FIXED_WINDOW, LEAKY_BUCKET, CONCURRENCY }

  /** What an exceeded limit does. */
  public enum OnLimit { REJECT, DELAY }

  /** Where the counters live. */
  public enum Store { LOCAL, REDIS }

  /** What a limit kept in Redis does while Redis fails. */
  public enum FailureMode { OPEN, CLOSED }
}
