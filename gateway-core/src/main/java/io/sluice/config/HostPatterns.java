package io.sluice.config;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses host conditions: {@code api.example.com}, {@code *.example.com}, {@code 10.0.0.1},
 * {@code ::1} or {@code [::1]}. Written the way request hosts are normalized
 * ({@code io.sluice.routing.HostNormalizer}), so that a condition and a request can only meet in
 * one spelling: lower case, without a trailing dot ({@code api.example.com.} is the same name),
 * IPv6 literals without brackets in their RFC 5952 form ({@code [0:0::1]} is {@code ::1}).
 * Internationalized names are written in their IDNA ASCII form, as clients send them.
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
    if (host.length() > 1 && host.endsWith(".") && !host.endsWith("..") && !host.startsWith("[")) {
      host = host.substring(0, host.length() - 1); // the root label of a fully qualified name
    }
    if (host.startsWith("*.") && HostNames.isDnsName(host.substring(2))) {
      return HostPattern.wildcard(host.substring(1));
    }
    if (host.length() > 2 && host.startsWith("[") && host.endsWith("]") && HostNames.isIpLiteral(host.substring(1, host.length() - 1))) {
      return HostPattern.exact(HostNames.canonicalIp(host.substring(1, host.length() - 1)));
    }
    if (HostNames.isHost(host)) {
      if (HostNames.hasLeadingZero(host)) {
        // Requests spell addresses without them (some resolvers read 010 as octal 8), so this would never match.
        throw new IllegalArgumentException(Messages.invalid(text, "an IPv4 address without leading zeros"));
      }
      return HostPattern.exact(HostNames.canonicalIp(host));
    }
    if (!isAscii(text)) {
      throw new IllegalArgumentException(Messages.quote(text) + " is not ASCII (expected: the name in the IDNA form clients send"
          + idnaForm(text).map(ascii -> ", " + ascii).orElse(", starting labels with xn--") + ")");
    }
    if (hasPort(host)) {
      throw new IllegalArgumentException(Messages.quote(text) + " has a port (expected: a host without a port; routes match any port)");
    }
    throw new IllegalArgumentException(Messages.invalid(text, EXPECTED));
  }

  private static boolean isAscii(String text) {
    return text.chars().allMatch(c -> c < 0x80);
  }

  /**
   * The ASCII form of an internationalized name, when Java's IDNA (2003) gives the same answer
   * as the IDNA 2008 / UTS 46 that browsers use: not for the deviation characters, where they differ.
   */
  private static Optional<String> idnaForm(String text) {
    if (text.chars().anyMatch(c -> c == '\u00df' || c == '\u03c2' || c == '\u200c' || c == '\u200d')) {
      return Optional.empty();
    }
    String wildcard = text.startsWith("*.") ? "*." : "";
    try {
      String ascii = IDN.toASCII(text.substring(wildcard.length()), IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
      return HostNames.isDnsName(ascii) ? Optional.of(wildcard + ascii) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
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
