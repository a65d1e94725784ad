package io.sluice.routing;

import java.util.List;
import java.util.Map;

/**
 * What the route table needs to know about a request. The proxy implements it as a view over
 * its exchange, so that matching copies nothing; called on the request's event loop.
 *
 * <p>A header or query parameter that occurs more than once satisfies an exact or regex
 * condition when any of its values does. {@link #header} and {@link #queryParam} are asked
 * first; the {@code *Values} methods only when the first value did not satisfy a condition.
 *
 * {@snippet :
 * MatchInput input = MatchInput.of("GET", "api.example.com", "/users/42",
 *     Map.of("x-env", List.of("canary")), "verbose=1");
 * RouteMatchResult result = table.match(input);
 * }
 */
public interface MatchInput {

  /** The request method, upper case. */
  String method();

  /** The host, lower case and without port; {@code ""} when the request has none. */
  String host();

  /**
   * The path, already normalized by {@link PathNormalizer}, without the query and without matrix
   * parameters ({@link NormalizedPath.Ok#path}).
   */
  String path();

  /**
   * Whether the request path had matrix parameters, which {@link #path} leaves out: the route
   * that matches decides whether it takes such a request.
   */
  default boolean hasMatrixParameters() {
    return false;
  }

  /** The first value of the header, or {@code null} when absent. */
  String header(CharSequence lowerCaseName);

  /** All values of the header, in order (the first is {@link #header}); empty when absent. */
  default List<String> headerValues(CharSequence lowerCaseName) {
    String value = header(lowerCaseName);
    return value == null ? List.of() : List.of(value);
  }

  /** The first value of the (decoded) query parameter, or {@code null} when absent. */
  String queryParam(String name);

  /** All values of the query parameter, in order (the first is {@link #queryParam}); empty when absent. */
  default List<String> queryValues(String name) {
    String value = queryParam(name);
    return value == null ? List.of() : List.of(value);
  }

  /**
   * A plain input for tests and the CLI.
   *
   * @param headers header values by name (any case)
   * @param rawQuery the query string without {@code ?}, percent-encoded; may be empty
   */
  static MatchInput of(String method, String host, String path, Map<String, List<String>> headers, String rawQuery) {
    return MapMatchInput.of(method, host, new NormalizedPath.Ok(path), headers, rawQuery);
  }

  /** As {@link #of(String, String, String, Map, String)}, for a path that may have had matrix parameters. */
  static MatchInput of(String method, String host, NormalizedPath.Ok path, Map<String, List<String>> headers, String rawQuery) {
    return MapMatchInput.of(method, host, path, headers, rawQuery);
  }
}
