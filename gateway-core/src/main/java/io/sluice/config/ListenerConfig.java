package io.sluice.config;

import java.util.List;

/**
 * One client-facing listener.
 *
 * @param name unique name, used in logs and metrics
 * @param bind address to bind, {@code 0.0.0.0} by default
 * @param port TCP port; {@code 0} picks a free port (tests)
 * @param protocols protocols spoken on this listener, e.g. {@code [http1]}
 * @param tls TLS termination, or {@code null} for plain-text connections
 * @param headersWithUnderscores what happens to request header fields whose names contain {@code _}
 */
public record ListenerConfig(
    String name, String bind, int port, List<String> protocols, TlsConfig tls, UnderscoreHeaders headersWithUnderscores) {

  /**
   * {@code headers_with_underscores:}. Many upstream stacks (CGI, WSGI, PHP, some Java servers)
   * read {@code X_Auth_User} as {@code X-Auth-User}, so such a name can smuggle a second copy of a
   * header past everything that checks the real one; nginx drops them unless told otherwise.
   */
  public enum UnderscoreHeaders {
    /** Removed before routing and plugins, as if never sent (nginx's {@code underscores_in_headers off}). */
    DROP,
    /** The request is refused with 400. */
    REJECT,
    /** Kept and forwarded. */
    ALLOW
  }

  public ListenerConfig {
    protocols = List.copyOf(protocols);
  }

  /** A plain-text listener that drops header fields with underscores. */
  public ListenerConfig(String name, String bind, int port, List<String> protocols) {
    this(name, bind, port, protocols, null, UnderscoreHeaders.DROP);
  }

  /** {@code https} when the listener terminates TLS, {@code http} otherwise. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }
}
