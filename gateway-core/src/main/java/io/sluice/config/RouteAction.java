package io.sluice.config;

import java.time.Duration;

/** What a route does with a request it matched. */
public sealed interface RouteAction {

  /**
   * Forward to an upstream.
   *
   * @param upstream the name of an upstream under {@code upstreams:}
   * @param rewrite the path rewrite, {@link Rewrite#NONE} when there is none
   * @param responseTimeout overrides the upstream's response timeout for this route, or {@code null}
   * @param retryNonIdempotent whether a request with a non-idempotent method (POST, PATCH, ...) may be
   *     sent again when a reused connection turns out to have been closed by the upstream; only
   *     idempotent methods (RFC 9110 section 9.2.2) are otherwise; the same goes for {@code retry}
   * @param retry how failed attempts are retried, or {@code null} for no retries
   * @param split the upstreams a route's {@code upstreams:} splits requests between, in order; empty
   *     when the route names one {@code upstream}, which is then {@code upstream}. With a split,
   *     {@code upstream} is its first entry's: the one plugins that act per upstream are told
   * @param mirror where copies of some requests go, or {@code null} for none
   */
  record Forward(String upstream, Rewrite rewrite, Duration responseTimeout, boolean retryNonIdempotent, RetryPolicy retry,
      java.util.List<WeightedUpstream> split, MirrorConfig mirror) implements RouteAction {

    public Forward {
      split = java.util.List.copyOf(split);
    }

    /** Forwarding with retries, to one upstream, without a mirror. */
    public Forward(String upstream, Rewrite rewrite, Duration responseTimeout, boolean retryNonIdempotent, RetryPolicy retry) {
      this(upstream, rewrite, responseTimeout, retryNonIdempotent, retry, java.util.List.of(), null);
    }

    /** Forwarding without retries, possibly split and mirrored. */
    public Forward(String upstream, Rewrite rewrite, Duration responseTimeout, boolean retryNonIdempotent,
        java.util.List<WeightedUpstream> split, MirrorConfig mirror) {
      this(upstream, rewrite, responseTimeout, retryNonIdempotent, null, split, mirror);
    }

    /** Forwarding without retries or a mirror. */
    public Forward(String upstream, Rewrite rewrite, Duration responseTimeout, boolean retryNonIdempotent,
        java.util.List<WeightedUpstream> split) {
      this(upstream, rewrite, responseTimeout, retryNonIdempotent, null, split, null);
    }

    /** Forwarding to one upstream, without retries. */
    public Forward(String upstream, Rewrite rewrite, Duration responseTimeout, boolean retryNonIdempotent) {
      this(upstream, rewrite, responseTimeout, retryNonIdempotent, null, java.util.List.of(), null);
    }

    /** Forwarding that resends only idempotent requests, and retries none. */
    public Forward(String upstream, Rewrite rewrite, Duration responseTimeout) {
      this(upstream, rewrite, responseTimeout, false);
    }

    /** Every upstream requests of the route may go to: the split's, or the one. */
    public java.util.List<String> upstreams() {
      return split.isEmpty() ? java.util.List.of(upstream) : split.stream().map(WeightedUpstream::upstream).toList();
    }
  }

  /**
   * Answer directly without contacting any upstream (health checks, maintenance pages, redirects).
   *
   * @param status the HTTP status, 200..599
   * @param headers response headers, in order
   * @param body the response body (UTF-8), possibly empty
   */
  record Respond(int status, java.util.Map<String, String> headers, String body) implements RouteAction {
    public Respond {
      headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }
  }
}
