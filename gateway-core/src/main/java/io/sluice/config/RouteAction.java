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
   */
  record Forward(String upstream, Rewrite rewrite, Duration responseTimeout) implements RouteAction {}

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
