package io.sluice.config;

import java.util.Locale;

/**
 * Parses host conditions: {@code api.example.com}, {@code *.example.com}, {@code 10.0.0.1},
 * {@code ::1} or {@code [::1]}. Hosts are lower-cased; IPv6 literals are kept without brackets.
 *
 * {@snippet :
 * HostPattern any = HostPatterns.parse("*.Example.com"); // wildcard, suffix ".example.com"
 * }
 */
public final class HostPatterns {

  static final String EXPECTED = "a host name such as api.example.com, a wildcard such as *.example.com, or an IP address";

  private HostPatterns() {}

  /**
   * @throws IllegalArgumentException with a sentence naming the value and what is expected
   */
  public static HostPattern parse(String text) {
    String host = text.toLowerCase(Locale.ROOT);
    if (host.startsWith("*.") && HostNames.isDnsName(host.substring(2))) {
      return HostPattern.wildcard(host.substring(1));
    }
    if (host.length() > 2 && host.startsWith("[") && host.endsWith("]") && HostNames.isIpLiteral(host.substring(1, host.length() - 1))) {
      return HostPattern.exact(host.substring(1, host.length() - 1));
    }
    if (HostNames.isHost(host)) {
      return HostPattern.exact(host);
    }
    if (hasPort(host)) {
      throw new IllegalArgumentException(Messages.quote(text) + " has a port (expected: a host without a port; routes match any port)");
    }
    throw new IllegalArgumentException(Messages.invalid(text, EXPECTED));
  }

  private static boolean hasPort(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || colon == host.length() - 1 || !host.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    String name = host.substring(0, colon);
    return name.startsWith("[") && name.endsWith("]") || name.indexOf(':') < 0;
  }
}
