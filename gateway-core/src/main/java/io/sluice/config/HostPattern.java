package io.sluice.config;

/**
 * A host condition: an exact host ({@code api.example.com}) or a wildcard ({@code *.example.com})
 * that matches one or more labels in front of the suffix but not the bare suffix itself.
 * Always lower case and without a port.
 *
 * @param text as written (lower-cased)
 * @param wildcard whether it starts with {@code *.}
 * @param suffix for a wildcard, the part after {@code *} including the dot ({@code .example.com});
 *     for an exact host, the host itself
 */
public record HostPattern(String text, boolean wildcard, String suffix) {

  public static HostPattern exact(String host) {
    return new HostPattern(host, false, host);
  }

  public static HostPattern wildcard(String suffixWithDot) {
    return new HostPattern("*" + suffixWithDot, true, suffixWithDot);
  }

  /** Whether {@code host} (lower case, no port) meets this condition. */
  public boolean matches(String host) {
    return wildcard ? host.length() > suffix.length() && host.endsWith(suffix) : host.equals(suffix);
  }
}
