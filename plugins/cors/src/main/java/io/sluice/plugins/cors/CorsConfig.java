package io.sluice.plugins.cors;

import io.sluice.spi.AllowedOrigins;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code cors:} config: which cross-origin callers may use a route, and with what.
 * Constructing one checks it and fills in defaults, so every instance is valid.
 *
 * {@snippet lang=yaml :
 * - cors:
 *     allow_origins: ["https://app.example.com", "https://*.preview.example.com"]
 *     allow_methods: [GET, POST, PUT]          # default: GET, HEAD, POST
 *     allow_headers: [authorization, content-type]
 *     expose_headers: [x-request-id]
 *     allow_credentials: true                  # default: false
 *     max_age: 1h                              # default: 10m
 * }
 *
 * @param allowOrigins {@code allow_origins}: exact origins ({@code https://app.example.com}),
 *     patterns whose {@code *} stands for one or more leftmost DNS labels
 *     ({@code https://*.example.com}, which does not allow {@code https://example.com}),
 *     the literal {@code null}, or {@code *} alone for any origin. Required. Normalized to the
 *     form browsers send: lower case, without the scheme's default port.
 * @param allowMethods {@code allow_methods}: the methods a preflight may ask for, upper-cased;
 *     {@code *} alone for any. Default {@code GET, HEAD, POST}.
 * @param allowHeaders {@code allow_headers}: the request headers a preflight may ask for,
 *     lower-cased; {@code *} alone for any. Default none.
 * @param exposeHeaders {@code expose_headers}: response headers a script may read besides the
 *     CORS-safelisted ones, lower-cased; {@code *} alone for all (not with credentials). Default none.
 * @param allowCredentials {@code allow_credentials}: whether scripts may send cookies and
 *     {@code Authorization} and read the answer. Default {@code false}.
 * @param maxAge {@code max_age}: how long a browser may cache a preflight answer; sent in whole
 *     seconds. Default 10 minutes.
 */
public record CorsConfig(
    List<String> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    boolean allowCredentials,
    Duration maxAge) {

  static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD", "POST");
  static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  public CorsConfig {
    allowOrigins = origins(allowOrigins, allowCredentials);
    allowMethods = tokens("allow_methods", allowMethods, true, "method names such as GET or PUT");
    if (allowMethods.isEmpty()) {
      allowMethods = DEFAULT_METHODS;
    }
    allowHeaders = tokens("allow_headers", allowHeaders, false, "header names such as content-type");
    exposeHeaders = tokens("expose_headers", exposeHeaders, false, "header names such as x-request-id");
    if (allowCredentials && exposeHeaders.contains("*")) {
      throw new IllegalArgumentException("expose_headers: '*' cannot be combined with allow_credentials: true"
          + " (expected: the names of the response headers to expose)");
    }
    if (maxAge == null) {
      maxAge = DEFAULT_MAX_AGE;
    } else if (maxAge.isNegative()) {
      throw new IllegalArgumentException("max_age: " + maxAge.toString().substring(2).toLowerCase(Locale.ROOT)
          + " is negative (expected: a duration of 0s or more, such as 10m)");
    }
  }

  private static List<String> origins(List<String> entries, boolean allowCredentials) {
    if (entries == null || entries.isEmpty()) {
      throw new IllegalArgumentException("allow_origins: missing (expected: at least one origin,"
          + " such as [\"https://app.example.com\"], or [\"*\"] for any origin)");
    }
    Set<String> normalized = new LinkedHashSet<>();
    for (String entry : entries) {
      normalized.add(AllowedOrigins.normalize(entry));
    }
    if (normalized.contains(AllowedOrigins.ANY)) {
      if (allowCredentials) {
        throw new IllegalArgumentException("allow_origins: '*' cannot be combined with allow_credentials: true"
            + " (expected: the exact origins to allow)");
      }
      if (normalized.size() > 1) {
        throw new IllegalArgumentException("allow_origins: '*' allows every origin, so it must be the only entry"
            + " (expected: either [\"*\"] or a list of origins)");
      }
    }
    return List.copyOf(normalized);
  }

  private static List<String> tokens(String key, List<String> entries, boolean upperCase, String expected) {
    if (entries == null || entries.isEmpty()) {
      return List.of();
    }
    Set<String> normalized = new LinkedHashSet<>();
    for (String entry : entries) {
      if (entry == null || !TokenList.isToken(entry)) {
        throw new IllegalArgumentException(key + ": '" + entry + "' is not a valid name (expected: " + expected
            + ", or '*' alone)");
      }
      normalized.add(upperCase ? entry.toUpperCase(Locale.ROOT) : entry.toLowerCase(Locale.ROOT));
    }
    if (normalized.contains("*") && normalized.size() > 1) {
      throw new IllegalArgumentException(key + ": '*' allows every name, so it must be the only entry"
          + " (expected: either [\"*\"] or a list of " + expected + ")");
    }
    return List.copyOf(normalized);
  }
}
