package io.sluice.logging;

import java.util.Set;

/**
 * Hides credentials carried in a query string ({@code ?api_key=...}) before a request target is logged: the value of
 * every parameter named in a set is replaced, the rest of the target is kept as sent. Names are compared as written
 * (percent-encoded names are not decoded: a client that encodes the name of its own key only hides it from the
 * plugin too, which then does not accept it).
 */
public final class QueryRedaction {

  /** What a secret value is replaced with. */
  public static final String REDACTED = "REDACTED";

  /**
   * Query parameters that carry credentials by convention and are redacted always: the defaults of the
   * {@code api_key} and {@code jwt} plugins' {@code query_param}, and OAuth's (RFC 6750 section 2.3).
   */
  public static final Set<String> ALWAYS = Set.of("api_key", "access_token");

  private QueryRedaction() {}

  /** {@code target} with the values of {@code secrets} replaced; the same string when there is nothing to hide. */
  public static String redact(String target, Set<String> secrets) {
    int query = target.indexOf('?');
    if (query < 0 || secrets.isEmpty()) {
      return target;
    }
    StringBuilder out = null;
    int copied = 0; // target[0, copied) is in out
    int start = query + 1;
    while (start < target.length()) {
      int end = target.indexOf('&', start);
      if (end < 0) {
        end = target.length();
      }
      int equals = target.indexOf('=', start);
      if (equals >= 0 && equals + 1 < end && secrets.contains(target.substring(start, equals))) {
        if (out == null) {
          out = new StringBuilder(target.length());
        }
        out.append(target, copied, equals + 1).append(REDACTED);
        copied = end;
      }
      start = end + 1;
    }
    return out == null ? target : out.append(target, copied, target.length()).toString();
  }
}
