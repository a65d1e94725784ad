package io.sluice.routing;

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

  /** {@code a=1&a=2&b} gives {@code a -> [1, 2], b -> [""]}; read like the gateway reads a request's query. */
  static Map<String, List<String>> parseQuery(String rawQuery) {
    return QueryString.parse(rawQuery);
  }
}
