package io.sluice.config;

import java.util.Set;

/** HTTP grammar checks for names and values that the config writes onto the wire (RFC 9110). */
public final class HttpSyntax {

  static final String TOKEN_EXPECTED = "letters, digits and !#$%&'*+-.^_`|~";

  /**
   * Headers that describe one connection or the message framing. The gateway writes them itself
   * for each hop; a configured value would contradict it and corrupt the exchange.
   */
  public static final Set<String> MANAGED_HEADERS = Set.of(
      "connection", "keep-alive", "te", "transfer-encoding", "upgrade", "proxy-connection", "host", "content-length");

  private HttpSyntax() {}

  /** A non-empty run of {@code tchar}: the form of header names and methods. */
  public static boolean isToken(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alphanumeric = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
