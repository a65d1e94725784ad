package io.sluice.config;

/**
 * What a route does with a request path that has matrix parameters ({@code /app;jsessionid=1/page}).
 * The route is always chosen by the path without them; see {@code docs/routing.md}.
 */
public enum MatrixParameters {
  /** Answer 400: the default, since Java servers read {@code /admin;x} as {@code /admin}. */
  REFUSE,
  /** Forward the path without them. */
  STRIP,
  /** Forward them as written: for upstreams that read them (Tomcat, Jetty, Spring, JAX-RS). */
  FORWARD
}
