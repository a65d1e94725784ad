package io.sluice.plugins.cache;

import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The cache key of a request: its target ({@code scheme://host/path?query}, query as configured)
 * plus the values of the configured key headers. Stored responses are grouped by target, so that
 * invalidating or purging a target reaches every variant of it.
 */
final class Keys {

  private final Set<String> include;
  private final Set<String> exclude;
  private final String[] headers;

  Keys(CacheConfig.Key key) {
    this.include = Set.copyOf(key.query().include());
    this.exclude = Set.copyOf(key.query().exclude());
    this.headers = key.headers().toArray(String[]::new);
  }

  /** {@code scheme://host/path} and the query as configured: parameters sorted by name, empty ones dropped. */
  String target(Exchange exchange) {
    return target(exchange.scheme(), exchange.host(), exchange.path(), exchange.rawQuery());
  }

  String target(String scheme, String host, String path, String rawQuery) {
    StringBuilder out = new StringBuilder(scheme.length() + host.length() + path.length() + 16)
        .append(scheme).append("://").append(host).append(path);
    String query = query(rawQuery);
    if (!query.isEmpty()) {
      out.append('?').append(query);
    }
    return out.toString();
  }

  private String query(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    List<String> kept = new ArrayList<>();
    for (String parameter : raw.split("&")) {
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      String name = eq < 0 ? parameter : parameter.substring(0, eq);
      if (!include.isEmpty() ? include.contains(name) : !exclude.contains(name)) {
        kept.add(parameter);
      }
    }
    // a stable sort: values of one name keep their order, which may matter to the upstream
    kept.sort(Comparator.comparing(parameter -> {
      int eq = parameter.indexOf('=');
      return eq < 0 ? parameter : parameter.substring(0, eq);
    }));
    return String.join("&", kept);
  }

  /** The configured key headers' values in {@code request}. */
  String[] headerValues(Headers request) {
    if (headers.length == 0) {
      return NO_VALUES;
    }
    String[] values = new String[headers.length];
    for (int i = 0; i < headers.length; i++) {
      values[i] = headerValue(request, headers[i]);
    }
    return values;
  }

  /** The configured key header names, lower case. */
  String[] headerNames() {
    return headers;
  }

  static final String[] NO_VALUES = new String[0];

  /** A header's values as one text, with whitespace around each value removed; {@code null} when absent. */
  static String headerValue(Headers request, String name) {
    List<String> values = request.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() == 1) {
      return normalize(values.get(0));
    }
    StringBuilder out = new StringBuilder();
    for (String value : values) {
      if (!out.isEmpty()) {
        out.append(',');
      }
      out.append(normalize(value));
    }
    return out.toString();
  }

  private static String normalize(String value) {
    if (value.indexOf(',') < 0) {
      return value.strip();
    }
    StringBuilder out = new StringBuilder(value.length());
    for (String part : value.split(",")) {
      if (!out.isEmpty()) {
        out.append(',');
      }
      out.append(part.strip());
    }
    return out.toString();
  }
}
