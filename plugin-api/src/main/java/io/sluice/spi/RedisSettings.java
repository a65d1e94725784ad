package io.sluice.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's top-level {@code redis:} section, shared by every plugin that keeps state in
 * Redis (see {@link PluginContext#redis()}). The plugin brings its own client (Lettuce, say) and
 * connects only when it is not {@linkplain PluginContext#validating() validating}.
 *
 * {@snippet :
 * // redis: { uri: "redis://127.0.0.1:6379", command_timeout: 50ms }
 * RedisSettings redis = context.redis().orElseThrow();
 * redis.uris();            // ["redis://127.0.0.1:6379"]
 * redis.cluster();         // false
 * redis.commandTimeout();  // PT0.05S
 * }
 *
 * @param uris one {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI, or the seed
 *     nodes of a Redis Cluster ({@code redis://} or {@code rediss://}); may carry a password, so never log them whole
 * @param cluster whether {@code uris} are the seeds of a Redis Cluster ({@code cluster:} in YAML)
 * @param commandTimeout how long one command may take before it counts as failed
 */
public record RedisSettings(List<String> uris, boolean cluster, Duration commandTimeout) {

  /** The command timeout when the section does not set one. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(50);

  public RedisSettings {
    uris = List.copyOf(uris);
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("uris: empty (expected: at least one Redis URI)");
    }
    Objects.requireNonNull(commandTimeout, "commandTimeout");
  }
}
