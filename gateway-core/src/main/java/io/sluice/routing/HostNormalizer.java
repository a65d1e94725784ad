package io.sluice.routing;

import io.netty.util.NetUtil;
import java.util.Locale;

/**
 * Brings the host of a request's authority (the {@code Host} header, HTTP/2's {@code :authority},
 * or the authority of an absolute-form target) into the one spelling that host conditions are
 * written in, so that {@code Admin.Example.COM.:8443} cannot miss the route for
 * {@code admin.example.com}; {@code io.sluice.config.HostPatterns} writes conditions the same way.
 *
 * <p>Rules: the port is checked (1 to 5 digits, at most 65535) and dropped; letters are
 * lower-cased; one trailing dot (the DNS root: {@code admin.example.com.} is the same name) is
 * dropped. What is left must be a DNS-style name (labels of letters, digits, {@code -} and
 * {@code _}, 1 to 63 characters each, at most 253 in all; internationalized names in their
 * {@code xn--} form, never decoded), an IPv4 address in dotted decimal without leading zeros, or
 * a bracketed IPv6 address, which becomes its RFC 5952 form without brackets. Anything else is
 * refused, so that no second spelling of a host (say {@code 010.0.0.1}, or {@code a..b}) can
 * reach a route by another way than the one its conditions were written for.
 *
 * <p>Allocation-free for a host that is already normal and has no port.
 */
public final class HostNormalizer {

  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL = 63;

  private HostNormalizer() {}

  /**
   * The normalized host of an authority ({@code host[:port]}).
   *
   * @return the host; {@code ""} for an empty authority (an HTTP/1.0 request without Host);
   *     {@code null} when the authority is not a host with an optional port ({@link #problem} says why)
   */
  public static String hostOf(String authority) {
    int length = authority.length();
    if (length == 0) {
      return "";
    }
    if (authority.charAt(0) == '[') {
      return ipv6(authority);
    }
    int colon = authority.indexOf(':'); // a name or IPv4 address has none
    int end = colon < 0 ? length : colon;
    if (colon >= 0 && !isPort(authority, colon + 1)) {
      return null;
    }
    if (end > 1 && authority.charAt(end - 1) == '.') {
      end--; // the root label of a fully qualified name
    }
    if (!isNameOrIpv4(authority, end)) {
      return null;
    }
    return (end == length ? authority : authority.substring(0, end)).toLowerCase(Locale.ROOT);
  }

  /** A sentence for the client about an authority {@link #hostOf} refused. */
  public static String problem(String authority) {
    String shown = printable(authority);
    if (authority.chars().anyMatch(c -> c >= 0x80)) {
      return "Host '" + shown + "' is not ASCII (expected: an internationalized name in its IDNA form, with xn-- labels)";
    }
    return "Malformed Host '" + shown + "' (expected: a DNS name, an IPv4 address or a bracketed IPv6 address,"
        + " with an optional :port)";
  }

  private static String ipv6(String authority) {
    int close = authority.indexOf(']');
    if (close < 0 || close + 1 < authority.length() && (authority.charAt(close + 1) != ':' || !isPort(authority, close + 2))) {
      return null;
    }
    String address = authority.substring(1, close);
    // No zone ids (fe80::1%25eth0 names an interface of the client's, not a host) and no IPvFuture.
    if (address.indexOf('%') >= 0 || address.indexOf(':') < 0 || !NetUtil.isValidIpV6Address(address)) {
      return null;
    }
    return NetUtil.toAddressString(NetUtil.getByName(address));
  }

  /** 1 to 5 digits from {@code start} to the end, at most 65535. */
  private static boolean isPort(String authority, int start) {
    int digits = authority.length() - start;
    if (digits < 1 || digits > 5) {
      return false;
    }
    int port = 0;
    for (int i = start; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65535;
  }

  /**
   * Whether {@code host[0..end)} is a name of non-empty labels, or an IPv4 address. A last label
   * of digits only makes it an address (no top-level domain is numeric), which must then be
   * exactly four decimal numbers 0..255 without leading zeros.
   */
  private static boolean isNameOrIpv4(String host, int end) {
    if (end == 0 || end > MAX_NAME) {
      return false;
    }
    int labelStart = 0;
    int labels = 0;
    boolean digitsOnly = true;
    boolean allLabelsNumeric = true;
    for (int i = 0; i <= end; i++) {
      char c = i == end ? '.' : host.charAt(i);
      if (c == '.') {
        int labelLength = i - labelStart;
        if (labelLength == 0 || labelLength > MAX_LABEL) {
          return false;
        }
        labels++;
        allLabelsNumeric &= digitsOnly && isOctet(host, labelStart, i);
        if (i == end && digitsOnly) {
          return labels == 4 && allLabelsNumeric;
        }
        labelStart = i + 1;
        digitsOnly = true;
      } else if (c >= '0' && c <= '9') {
        // digitsOnly stays as it is
      } else if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
        digitsOnly = false;
      } else {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code host[start..end)}, all digits, is 0..255 without a leading zero. */
  private static boolean isOctet(String host, int start, int end) {
    int length = end - start;
    if (length > 3 || length > 1 && host.charAt(start) == '0') {
      return false;
    }
    int value = 0;
    for (int i = start; i < end; i++) {
      value = value * 10 + (host.charAt(i) - '0');
    }
    return value <= 255;
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
