package io.sluice.config;

import java.util.Locale;

/** Parses upstream endpoint URLs, {@code http[s]://host[:port]}: an address, never a path. */
final class Endpoints {

  static final String EXPECTED = "a URL such as http://127.0.0.1:9001";

  private Endpoints() {}

  /**
   * @throws IllegalArgumentException with a sentence naming the URL and what is wrong with it
   */
  static Endpoint parse(String url) {
    int separator = url.indexOf("://");
    if (separator <= 0) {
      throw new IllegalArgumentException(Messages.invalid(url, EXPECTED));
    }
    String scheme = url.substring(0, separator).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(Messages.quote(url) + " has the scheme '" + scheme + "' (expected: http or https)");
    }
    String authority = url.substring(separator + 3);
    if (authority.endsWith("/") && authority.indexOf('/') == authority.length() - 1) {
      authority = authority.substring(0, authority.length() - 1); // "http://host:80/" is common and means the same
    }
    rejectExtras(url, authority);
    String host;
    String port;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0 || close + 1 < authority.length() && authority.charAt(close + 1) != ':') {
        throw new IllegalArgumentException(Messages.invalid(url, EXPECTED));
      }
      host = authority.substring(1, close);
      port = close + 1 < authority.length() ? authority.substring(close + 2) : null;
      if (!HostNames.isIpLiteral(host) || host.indexOf(':') < 0) {
        throw new IllegalArgumentException(Messages.quote(url) + " has an invalid IPv6 address '" + host + "'");
      }
    } else {
      int colon = authority.indexOf(':');
      if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException(Messages.quote(url) + " has an IPv6 address without brackets (expected: http://[::1]:9001)");
      }
      host = (colon < 0 ? authority : authority.substring(0, colon)).toLowerCase(Locale.ROOT);
      port = colon < 0 ? null : authority.substring(colon + 1);
      if (!HostNames.isHost(host)) {
        throw new IllegalArgumentException(Messages.quote(url) + " has an invalid host " + Messages.quote(host)
            + " (expected: a host name or an IP address)");
      }
    }
    return new Endpoint(scheme, host, port == null ? (scheme.equals("https") ? 443 : 80) : port(url, port));
  }

  private static void rejectExtras(String url, String authority) {
    for (int i = 0; i < authority.length(); i++) {
      String what = switch (authority.charAt(i)) {
        case '/' -> "a path";
        case '?' -> "a query";
        case '#' -> "a fragment";
        case '@' -> "user info";
        default -> null;
      };
      if (what != null) {
        throw new IllegalArgumentException(Messages.quote(url) + " has " + what
            + " (expected: http[s]://host[:port] only; paths and headers are changed per route)");
      }
    }
  }

  private static int port(String url, String port) {
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException(Messages.quote(url) + " has an invalid port " + Messages.quote(port) + " (expected: 1..65535)");
    }
    return Integer.parseInt(port);
  }
}
