package io.sluice.config;

/**
 * One upstream address, written as a URL such as {@code http://127.0.0.1:9001}.
 *
 * @param scheme {@code http}, or {@code https} for TLS to the endpoint
 * @param host host name or IP literal (IPv6 without brackets)
 * @param port TCP port; the scheme's default when the URL has none
 */
public record Endpoint(String scheme, String host, int port) {

  /** {@code host:port}, with brackets around IPv6 literals: the form for a Host header or a log line. */
  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** Whether connections to this endpoint use TLS. */
  public boolean isTls() {
    return scheme.equals("https");
  }

  @Override
  public String toString() {
    return scheme + "://" + authority();
  }
}
