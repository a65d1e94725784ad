package io.sluice.config;

import java.util.List;

/**
 * One entry of a route's {@code upstreams:}, the upstreams its requests are split between.
 *
 * @param upstream the name of an upstream under {@code upstreams:}
 * @param weight this entry's share of the requests that no override claims, relative to the
 *     other entries' weights; {@code 0} for an upstream that only overrides reach
 * @param headers header conditions (as in {@code match.headers}) that send a request here whatever
 *     the weights; empty for none. The first entry whose conditions all hold takes the request
 */
public record WeightedUpstream(String upstream, int weight, List<ValueMatch> headers) {

  public WeightedUpstream {
    headers = List.copyOf(headers);
  }
}
