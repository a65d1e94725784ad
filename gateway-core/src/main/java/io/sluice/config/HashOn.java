package io.sluice.config;

/**
 * What a hashing load balancer hashes to keep a client on one endpoint: the {@code hash_on:} of
 * an upstream.
 *
 * @param source where the key comes from
 * @param name the header (lower case), cookie or query parameter name; empty for {@code CLIENT_IP}
 */
public record HashOn(Source source, String name) {

  /** Where the hash key of a request comes from. */
  public enum Source {
    HEADER,
    COOKIE,
    QUERY,
    /** The client's address, as the access log shows it (from {@code X-Forwarded-For} behind trusted proxies). */
    CLIENT_IP
  }
}
