package io.sluice.plugins.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One atomic Lua script per algorithm, for limits kept in Redis. Each reads the time from Redis
 * ({@code TIME}), never from the gateway, so instances whose clocks disagree still share one
 * clock; each touches only its one key ({@code KEYS[1]}, hash-tagged by the caller, so Redis
 * Cluster can run it), and every key gets a TTL after which it holds nothing that matters. Times
 * are whole microseconds: Lua numbers are doubles, exact for microseconds since the epoch.
 *
 * <p>Every script answers {@code {allowed (1 or 0), remaining, microseconds, delay microseconds}}:
 * allowed, the time until the budget is whole again or the window ends; rejected, the time until a
 * retry can succeed. They are the Redis twins of {@link RateAlgorithm}'s local algorithms.
 */
enum RedisScripts {

  /**
   * Token and leaky bucket as GCRA: the key holds the theoretical arrival time of the next request.
   * ARGV: emission interval, tolerance (interval times burst), longest delay; all microseconds.
   */
  GCRA(Lua.NOW + """
      local interval = tonumber(ARGV[1])
      local tolerance = tonumber(ARGV[2])
      local delay = tonumber(ARGV[3])
      local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
      if tat < now then tat = now end
      local nxt = tat + interval
      local ahead = nxt - now
      if ahead > tolerance + delay then
        return {0, 0, ahead - tolerance - delay, 0}
      end
      redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil(ahead / 1000) + 1)
      return {1, math.max(0, math.floor((tolerance - ahead) / interval)), ahead, math.max(0, ahead - tolerance)}
      """),

  /** A counter per window of fixed boundaries. ARGV: window (microseconds), limit. */
  FIXED_WINDOW(Lua.NOW + """
      local window = tonumber(ARGV[1])
      local limit = tonumber(ARGV[2])
      local index = math.floor(now / window)
      local reset = (index + 1) * window - now
      local state = redis.call('HMGET', KEYS[1], 'w', 'c')
      local count = 0
      if tonumber(state[1]) == index then count = tonumber(state[2]) end
      if count >= limit then
        return {0, 0, reset, 0}
      end
      redis.call('HSET', KEYS[1], 'w', string.format('%d', index), 'c', count + 1)
      redis.call('PEXPIRE', KEYS[1], math.ceil(reset / 1000) + 1)
      return {1, limit - count - 1, reset, 0}
      """),

  /**
   * The weighted two-window counter: the current window's count plus the previous window's,
   * weighted by how much of it the sliding window still covers. ARGV: window (microseconds), limit.
   */
  SLIDING_WINDOW(Lua.NOW + """
      local window = tonumber(ARGV[1])
      local limit = tonumber(ARGV[2])
      local index = math.floor(now / window)
      local elapsed = now - index * window
      local state = redis.call('HMGET', KEYS[1], 'w', 'p', 'c')
      local tag = tonumber(state[1])
      local previous, current = 0, 0
      if tag == index then
        previous, current = tonumber(state[2]), tonumber(state[3])
      elseif tag == index - 1 then
        previous = tonumber(state[3])
      end
      local weighted = math.floor(previous * (window - elapsed) / window)
      if weighted + current >= limit then
        local retry = window - elapsed + 1
        if current < limit and previous > 0 then
          local at = math.ceil(window * (1 - (limit - current) / previous)) + 1
          retry = math.max(1, at - elapsed)
        end
        return {0, 0, retry, 0}
      end
      redis.call('HSET', KEYS[1], 'w', string.format('%d', index), 'p', previous, 'c', current + 1)
      redis.call('PEXPIRE', KEYS[1], math.ceil((2 * window - elapsed) / 1000) + 1)
      return {1, limit - weighted - current - 1, window - elapsed, 0}
      """),

  /**
   * Requests in flight: a sorted set of one member per request, scored by when it entered, removed
   * when the request ends. A member older than the lease (its gateway died before giving it back)
   * no longer counts. ARGV: limit, lease (microseconds), member.
   */
  CONCURRENCY(Lua.NOW + """
      local limit = tonumber(ARGV[1])
      local lease = tonumber(ARGV[2])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - lease))
      local inflight = redis.call('ZCARD', KEYS[1])
      if inflight >= limit then
        return {0, 0, 1000000, 0}
      end
      redis.call('ZADD', KEYS[1], string.format('%d', now), ARGV[3])
      redis.call('PEXPIRE', KEYS[1], math.ceil(lease / 1000))
      return {1, limit - inflight - 1, 0, 0}
      """);

  /** What every script shares (in a class of its own: enum constants may not name the enum's own constants). */
  private static final class Lua {
    /** Every script starts with the time from Redis's clock, in microseconds. */
    static final String NOW = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        """;
  }

  /** The script's source, sent with EVAL when Redis does not know it (yet, or any more). */
  final String source;
  /** Its SHA-1, for EVALSHA. */
  final String sha;

  RedisScripts(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  static RedisScripts of(RateLimitConfig.Algorithm algorithm) {
    return switch (algorithm) {
      case TOKEN_BUCKET, LEAKY_BUCKET -> GCRA;
      case FIXED_WINDOW -> FIXED_WINDOW;
      case SLIDING_WINDOW -> SLIDING_WINDOW;
      case CONCURRENCY -> CONCURRENCY;
    };
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
