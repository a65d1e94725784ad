package io.sluice.spi;

import java.net.IDN;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An allow-list of browser origins, as the {@code cors} plugin's {@code allow_origins} and a
 * route's {@code websocket.allowed_origins} write it: checked and compiled once: exact origins (and {@code null})
 * in a hash set, {@code scheme://*.domain[:port]} patterns as prefix/suffix pairs. Matching
 * allocates nothing.
 *
 * <p>Entries are normalized the way browsers serialize an {@code Origin} header: scheme and host
 * in lower case, international host names in their {@code xn--} form, the scheme's default port
 * left out. Request origins are compared as sent, so an origin in another spelling (upper case,
 * an explicit default port) is not allowed; browsers never send one.
 */
public final class AllowedOrigins {

  public static final String ANY = "*";
  public static final String NULL = "null";

  private static final String EXPECTED =
      "expected: an origin as scheme://host[:port] such as https://app.example.com, a pattern such as"
          + " https://*.example.com, null, or *";

  private final boolean any;
  private final Set<String> exact;
  private final OriginPattern[] patterns;

  private AllowedOrigins(boolean any, Set<String> exact, OriginPattern[] patterns) {
    this.any = any;
    this.exact = exact;
    this.patterns = patterns;
  }

  /** Compiles entries already normalized by {@link #normalize}. */
  public static AllowedOrigins of(List<String> normalized) {
    boolean any = false;
    Set<String> exact = new HashSet<>();
    List<OriginPattern> patterns = new ArrayList<>();
    for (String entry : normalized) {
      if (entry.equals(ANY)) {
        any = true;
      } else if (entry.contains("://*.")) {
        patterns.add(OriginPattern.of(entry));
      } else {
        exact.add(entry);
      }
    }
    return new AllowedOrigins(any, Set.copyOf(exact), patterns.toArray(OriginPattern[]::new));
  }

  /** Whether {@code *} was configured: every origin is allowed, {@code null} included. */
  public boolean any() {
    return any;
  }

  /** Whether a request with this {@code Origin} header value may read the response. */
  public boolean allows(String origin) {
    if (any || exact.contains(origin)) {
      return true;
    }
    for (OriginPattern pattern : patterns) {
      if (pattern.matches(origin)) {
        return true;
      }
    }
    return false;
  }

  /**
   * One {@code allow_origins} entry in the form requests are compared against.
   *
   * @throws IllegalArgumentException naming the entry and what is expected
   */
  public static String normalize(String entry) {
    return normalize("allow_origins", entry);
  }

  /** Like {@link #normalize(String)}, naming the entry's list {@code key} in errors. */
  public static String normalize(String key, String entry) {
    if (entry == null || entry.isBlank()) {
      throw invalid(key, entry == null ? "" : entry, "it is empty");
    }
    if (entry.equals(ANY)) {
      return ANY;
    }
    if (entry.equalsIgnoreCase(NULL)) {
      return NULL;
    }
    int schemeEnd = entry.indexOf("://");
    if (schemeEnd < 0) {
      throw invalid(key, entry, "it has no scheme");
    }
    String scheme = entry.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!isScheme(scheme)) {
      throw invalid(key, entry, "'" + entry.substring(0, schemeEnd) + "' is not a scheme");
    }
    String authority = entry.substring(schemeEnd + 3);
    int pathStart = firstIndexOf(authority, "/?#");
    if (pathStart >= 0) {
      throw invalid(key, entry, pathStart == authority.length() - 1 && authority.charAt(pathStart) == '/'
          ? "it ends with '/', and an origin has no path"
          : "an origin has no path, query or fragment");
    }
    if (authority.indexOf('@') >= 0) {
      throw invalid(key, entry, "an origin has no user name");
    }
    String host;
    String port = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw invalid(key, entry, "the IPv6 address has no closing ']'");
      }
      host = authority.substring(0, close + 1).toLowerCase(Locale.ROOT);
      if (!isIpv6Literal(host)) {
        throw invalid(key, entry, "'" + host + "' is not an IPv6 address");
      }
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          throw invalid(key, entry, "only ':' and a port may follow the IPv6 address");
        }
        port = authority.substring(close + 2);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? null : authority.substring(colon + 1);
      boolean pattern = host.startsWith("*.");
      String domain = asciiHost(key, entry, pattern ? host.substring(2) : host);
      if (domain.indexOf('*') >= 0) {
        throw invalid(key, entry, "'*' may only stand for the leftmost labels of the host, as in https://*.example.com");
      }
      host = pattern ? "*." + domain : domain;
    }
    String portSuffix = "";
    if (port != null) {
      int number = portNumber(port);
      if (number < 0) {
        throw invalid(key, entry, "'" + port + "' is not a port (1 to 65535)");
      }
      if (!(number == 80 && scheme.equals("http")) && !(number == 443 && scheme.equals("https"))) {
        portSuffix = ":" + number;
      }
    }
    return scheme + "://" + host + portSuffix;
  }

  private static IllegalArgumentException invalid(String key, String entry, String why) {
    return new IllegalArgumentException(
        key + ": '" + entry + "' is not an origin: " + why + " (" + EXPECTED + ")");
  }

  /** The host in lower-case ASCII (IDNA), checked to be a DNS name or an IPv4 address. */
  private static String asciiHost(String key, String entry, String host) {
    if (host.isEmpty()) {
      throw invalid(key, entry, "it has no host");
    }
    if (host.startsWith(".") || host.endsWith(".") || host.contains("..")) {
      throw invalid(key, entry, "'" + host + "' has an empty label");
    }
    String ascii;
    try {
      ascii = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw invalid(key, entry, "'" + host + "' is not a host name");
    }
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' && c != '*') {
        throw invalid(key, entry, "'" + host + "' is not a host name");
      }
    }
    return ascii;
  }

  private static boolean isScheme(String scheme) {
    if (scheme.isEmpty() || !(scheme.charAt(0) >= 'a' && scheme.charAt(0) <= 'z')) {
      return false;
    }
    for (int i = 1; i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv6Literal(String bracketed) {
    if (bracketed.length() < 4) {
      return false;
    }
    for (int i = 1; i < bracketed.length() - 1; i++) {
      char c = bracketed.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') && c != ':' && c != '.') {
        return false;
      }
    }
    return bracketed.indexOf(':') > 0;
  }

  /** The port number, or -1 when {@code text} is not one. */
  private static int portNumber(String text) {
    if (text.isEmpty() || text.length() > 5) {
      return -1;
    }
    int number = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      number = number * 10 + (c - '0');
    }
    return number >= 1 && number <= 65535 ? number : -1;
  }

  private static int firstIndexOf(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A compiled {@code scheme://*.domain[:port]} entry. The {@code *} stands for one or more DNS
   * labels: {@code https://*.example.com} allows {@code https://a.example.com} and
   * {@code https://a.b.example.com}, but not {@code https://example.com}, {@code http://a.example.com}
   * or {@code https://a.example.com:8443}.
   */
  private static final class OriginPattern {

    /** {@code scheme://} */
    private final String prefix;
    /** {@code .domain[:port]} */
    private final String suffix;

    private OriginPattern(String prefix, String suffix) {
      this.prefix = prefix;
      this.suffix = suffix;
    }

    /** A pattern from a normalized entry containing {@code ://*.}. */
    static OriginPattern of(String normalized) {
      int star = normalized.indexOf("://*.");
      return new OriginPattern(normalized.substring(0, star + 3), normalized.substring(star + 4));
    }

    boolean matches(String origin) {
      int labelsEnd = origin.length() - suffix.length();
      if (labelsEnd <= prefix.length() || !origin.startsWith(prefix) || !origin.endsWith(suffix)) {
        return false;
      }
      // What the '*' covers: one or more non-empty labels of a lower-case DNS name.
      boolean labelEmpty = true;
      for (int i = prefix.length(); i < labelsEnd; i++) {
        char c = origin.charAt(i);
        if (c == '.') {
          if (labelEmpty) {
            return false;
          }
          labelEmpty = true;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
          labelEmpty = false;
        } else {
          return false;
        }
      }
      return !labelEmpty;
    }

    @Override
    public String toString() {
      return prefix + "*" + suffix;
    }
  }
}
