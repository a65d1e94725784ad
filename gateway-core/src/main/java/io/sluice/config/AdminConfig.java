package io.sluice.config;

/**
 * The admin listener (health, readiness, metrics, config inspection and reload).
 *
 * @param enabled whether it is started
 * @param bind address to bind, {@code 127.0.0.1} by default
 * @param port TCP port, 9901 by default
 * @param token the bearer token every admin request must carry ({@code Authorization: Bearer ...}),
 *     or {@code null} for none; required to bind anywhere but a loopback address
 */
public record AdminConfig(boolean enabled, String bind, int port, String token) {

  /** Without a token. */
  public AdminConfig(boolean enabled, String bind, int port) {
    this(enabled, bind, port, null);
  }

  /** Whether {@code bind} only accepts connections from this machine. */
  public boolean loopback() {
    return bind.startsWith("127.") || bind.equals("::1") || bind.equalsIgnoreCase("localhost");
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AdminConfig[enabled=" + enabled + ", bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "***") + "]";
  }
}
