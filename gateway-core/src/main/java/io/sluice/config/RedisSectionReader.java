package io.sluice.config;

import io.sluice.spi.RedisSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads the top-level {@code redis:} section: one server (or Sentinel) URI, or the seeds of a Redis Cluster. */
final class RedisSectionReader {

  static final List<String> KEYS = List.of("uri", "cluster", "command_timeout");
  private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel");
  private static final Set<String> CLUSTER_SCHEMES = Set.of("redis", "rediss");

  private RedisSectionReader() {}

  /** The settings, or {@code null} when something was wrong (reported). */
  static RedisSettings read(YamlNode node) {
    YamlMap redis = node.map(KEYS);
    Optional<YamlNode> uri = redis.optional("uri");
    Optional<YamlNode> cluster = redis.optional("cluster");
    Duration timeout = redis.timeout("command_timeout", RedisSettings.DEFAULT_COMMAND_TIMEOUT);
    if (redis.isBroken() || redis.written() != redis.entries().size()) {
      return null; // a misspelled key is reported already; "missing uri" would only repeat it
    }
    if (uri.isPresent() == cluster.isPresent()) {
      node.problem(uri.isPresent()
          ? "both uri and cluster are set (expected: uri for one server or Sentinel, or cluster for the seeds of a Redis Cluster)"
          : "missing uri (expected: uri: redis://host:6379, or cluster: [redis://host:6379, ...])");
      return null;
    }
    List<String> uris = new ArrayList<>();
    boolean complete = true;
    if (uri.isPresent()) {
      Optional<String> one = uri.get().as("a Redis URI such as redis://127.0.0.1:6379", text -> checked(text, SCHEMES));
      one.ifPresent(uris::add);
      complete = one.isPresent();
    } else {
      for (YamlNode seed : cluster.get().nonEmptyList("Redis URI")) {
        Optional<String> one = seed.as("a Redis URI such as redis://10.0.0.1:6379", text -> checked(text, CLUSTER_SCHEMES));
        one.ifPresent(uris::add);
        complete &= one.isPresent();
      }
    }
    return complete && !uris.isEmpty() ? new RedisSettings(uris, cluster.isPresent(), timeout) : null;
  }

  private static String checked(String text, Set<String> schemes) {
    URI parsed;
    try {
      parsed = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(Messages.invalid(redacted(text), "a Redis URI such as redis://127.0.0.1:6379"));
    }
    String scheme = parsed.getScheme();
    if (scheme == null || !schemes.contains(scheme)) {
      throw new IllegalArgumentException(Messages.invalid(redacted(text), "a URI with the scheme "
          + String.join(", ", schemes.stream().sorted().toList()) + ", such as redis://127.0.0.1:6379"));
    }
    if (parsed.getHost() == null && !scheme.equals("redis-sentinel")) {
      throw new IllegalArgumentException(Messages.invalid(redacted(text), "a URI with a host, such as redis://127.0.0.1:6379"));
    }
    return text;
  }

  /** The URI without a password, for messages. */
  private static String redacted(String text) {
    int at = text.lastIndexOf('@');
    int scheme = text.indexOf("://");
    return at > 0 && scheme >= 0 && at > scheme ? text.substring(0, scheme + 3) + "***" + text.substring(at) : text;
  }
}
