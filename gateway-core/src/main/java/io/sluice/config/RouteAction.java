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
   */
  record Forward(String upstream, Rewrite rewrite, Duration responseTimeout, boolean retryNonIdempotent, RetryPolicy retry)
      implements RouteAction {

    /** Forwarding that resends only idempotent requests, and retries none. */
    public Forward(String upstream, Rewrite rewrite, Duration responseTimeout) {
      this(upstream, rewrite, responseTimeout, false, null);
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
