package io.sluice.config;

/**
 * One upstream address, written as a URL such as {@code http://127.0.0.1:9001}.
 *
 * @param scheme {@code http} (later {@code https})
 * @param host host name or IP literal (IPv6 without brackets)
 * @param port TCP port; the scheme's default when the URL has none
 */
public record Endpoint(String scheme, String host, int port) {

  /** {@code host:port}, with brackets around IPv6 literals: the form for a Host header or a log line. */
  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return scheme + "://" + authority();
  }
}
