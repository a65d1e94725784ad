package io.sluice.config;

import io.netty.util.NetUtil;
import java.util.regex.Pattern;

/** What counts as a host: an IP literal or a DNS name. Never resolves anything. */
final class HostNames {

  /**
   * Labels of letters, digits, '-' and '_' (underscores are not DNS-legal but common in container
   * and service names), not starting or ending with '-'.
   */
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

  private HostNames() {}

  /** An IPv4 address, or an IPv6 address without brackets and without a zone id. */
  static boolean isIpLiteral(String host) {
    return NetUtil.isValidIpV4Address(host)
        || host.indexOf(':') >= 0 && host.indexOf('%') < 0 && host.indexOf('[') < 0 && NetUtil.isValidIpV6Address(host);
  }

  /**
   * A lower-case DNS name. The last label may not be all digits, so that a mistyped address
   * such as {@code 10.0.0.256} is not taken for a name.
   */
  static boolean isDnsName(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    String[] labels = host.split("\\.", -1);
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** An IPv6 literal in its RFC 5952 form ({@code 0:0::1} is {@code ::1}); anything else as it is. */
  static String canonicalIp(String host) {
    return host.indexOf(':') >= 0 ? NetUtil.toAddressString(NetUtil.getByName(host)) : host;
  }

  /** Whether an IPv4 address has a part with a leading zero, such as {@code 010.0.0.1}. */
  static boolean hasLeadingZero(String host) {
    if (!NetUtil.isValidIpV4Address(host)) {
      return false;
    }
    for (String part : host.split("\\.")) {
      if (part.length() > 1 && part.charAt(0) == '0') {
        return true;
      }
    }
    return false;
  }

  static boolean isHost(String host) {
    return isIpLiteral(host) || isDnsName(host);
  }
}
