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
 */
public record ListenerConfig(String name, String bind, int port, List<String> protocols, TlsConfig tls) {

  public ListenerConfig {
    protocols = List.copyOf(protocols);
  }

  /** A plain-text listener. */
  public ListenerConfig(String name, String bind, int port, List<String> protocols) {
    this(name, bind, port, protocols, null);
  }

  /** {@code https} when the listener terminates TLS, {@code http} otherwise. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }
}
