package io.sluice.routing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link MatchInput} over plain maps, for tests and the CLI. */
record MapMatchInput(
    String method, String host, String path, boolean hasMatrixParameters, Map<String, List<String>> headers,
    Map<String, List<String>> query)
    implements MatchInput {

  static MapMatchInput of(String method, String host, NormalizedPath.Ok path, Map<String, List<String>> headers, String rawQuery) {
    Map<String, List<String>> lowerCased = new HashMap<>();
    headers.forEach((name, values) ->
        lowerCased.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
    return new MapMatchInput(method, host, path.path(), path.hasMatrixParameters(), lowerCased, parseQuery(rawQuery));
  }

  @Override
  public String header(CharSequence lowerCaseName) {
    return first(headers.get(lowerCaseName.toString()));
  }

  @Override
  public List<String> headerValues(CharSequence lowerCaseName) {
    return headers.getOrDefault(lowerCaseName.toString(), List.of());
  }

  @Override
  public String queryParam(String name) {
    return first(query.get(name));
  }

  @Override
  public List<String> queryValues(String name) {
    return query.getOrDefault(name, List.of());
  }

  private static String first(List<String> values) {
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** {@code a=1&a=2&b} gives {@code a -> [1, 2], b -> [""]}; names and values are decoded. */
  static Map<String, List<String>> parseQuery(String rawQuery) {
    Map<String, List<String>> params = new HashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return params;
  }

  /** Form decoding as UTF-8; a malformed escape is kept as written rather than failing. */
  static String decode(String text) {
    StringBuilder out = new StringBuilder(text.length());
    ByteArrayOutputStream escaped = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      int high = i + 2 < text.length() ? PathNormalizer.hexValue(text.charAt(i + 1)) : -1;
      int low = high >= 0 ? PathNormalizer.hexValue(text.charAt(i + 2)) : -1;
      char c = text.charAt(i);
      if (c == '%' && low >= 0) {
        escaped.write(high << 4 | low); // consecutive escapes form one UTF-8 sequence
        i += 2;
        continue;
      }
      out.append(escaped.toString(StandardCharsets.UTF_8));
      escaped.reset();
      out.append(c == '+' ? ' ' : c);
    }
    return out.append(escaped.toString(StandardCharsets.UTF_8)).toString();
  }
}
