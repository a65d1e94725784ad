package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.config.HashOn;
import io.sluice.routing.QueryString;
import java.util.List;

/** The key a hashing load balancer hashes, taken from a request as its upstream's {@code hash_on} says. */
public final class HashKeys {

  private HashKeys() {}

  /**
   * The endpoint of {@code cluster} for a request: the balancer's pick, made with the hash of the
   * request's {@code hash_on} key when the upstream hashes and the request has the key.
   */
  public static io.sluice.config.Endpoint pickEndpoint(io.sluice.upstream.UpstreamCluster cluster,
      io.sluice.upstream.UpstreamPools pools, RequestHead head, String clientIp) {
    HashOn hashOn = cluster.config().hashOn();
    String key = hashOn == null ? null : of(hashOn, head, clientIp);
    return key == null ? cluster.balancer().pick(pools)
        : cluster.balancer().pick(pools, io.sluice.upstream.LoadBalancer.hashOf(key));
  }

  /** The key, or {@code null} when the request has none (then the balancer picks at random). */
  static String of(HashOn hashOn, RequestHead head, String clientIp) {
    return switch (hashOn.source()) {
      case HEADER -> head.headers().get(hashOn.name());
      case COOKIE -> cookie(head.headers().getAll(HttpHeaderNames.COOKIE), hashOn.name());
      case QUERY -> {
        if (head.rawQuery() == null) {
          yield null;
        }
        List<String> values = QueryString.parse(head.rawQuery()).get(hashOn.name());
        yield values == null || values.isEmpty() ? null : values.get(0);
      }
      case CLIENT_IP -> clientIp;
    };
  }

  /** The first value of cookie {@code name} in {@code Cookie} headers ({@code a=1; b=2}), or {@code null}. */
  static String cookie(List<String> headers, String name) {
    for (String header : headers) {
      int at = 0;
      while (at < header.length()) {
        int end = header.indexOf(';', at);
        if (end < 0) {
          end = header.length();
        }
        int start = at;
        while (start < end && header.charAt(start) == ' ') {
          start++;
        }
        int equals = header.indexOf('=', start);
        if (equals > start && equals < end && header.regionMatches(start, name, 0, name.length())
            && equals - start == name.length()) {
          String value = header.substring(equals + 1, end).strip();
          return value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"'
              ? value.substring(1, value.length() - 1) : value;
        }
        at = end + 1;
      }
    }
    return null;
  }
}
