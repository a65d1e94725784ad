package io.sluice.config;

/**
 * One route: what it matches and what it does.
 *
 * @param id unique id, used in logs, metrics and {@code sluice routes}
 * @param position where the route starts in the file
 * @param index the route's position in the {@code routes:} list (0-based); the last tie-breaker of matching
 * @param match the conditions a request must meet
 * @param action forward to an upstream, or answer directly
 * @param requestHeaders header changes applied before the request goes upstream
 * @param responseHeaders header changes applied before the response goes to the client
 * @param maxBodyBytes the request body limit for this route (the server limit unless the route sets one)
 * @param plugins the route's own plugin entries, in YAML order (merged with the global chain by the gateway)
 * @param matrixParameters what happens to a request whose path has matrix parameters ({@code ;})
 * @param websocket the route's {@code websocket:}: it proxies WebSocket connections only; {@code null} when absent
 */
public record RouteConfig(
    String id,
    SourcePosition position,
    int index,
    RouteMatch match,
    RouteAction action,
    HeaderOps requestHeaders,
    HeaderOps responseHeaders,
    long maxBodyBytes,
    java.util.List<PluginUse> plugins,
    MatrixParameters matrixParameters,
    WebSocketConfig websocket) {

  public RouteConfig {
    plugins = java.util.List.copyOf(plugins);
  }

  /** A route that does not proxy WebSockets. */
  public RouteConfig(String id, SourcePosition position, int index, RouteMatch match, RouteAction action,
      HeaderOps requestHeaders, HeaderOps responseHeaders, long maxBodyBytes, java.util.List<PluginUse> plugins,
      MatrixParameters matrixParameters) {
    this(id, position, index, match, action, requestHeaders, responseHeaders, maxBodyBytes, plugins, matrixParameters, null);
  }

  /** A route that refuses matrix parameters. */
  public RouteConfig(String id, SourcePosition position, int index, RouteMatch match, RouteAction action,
      HeaderOps requestHeaders, HeaderOps responseHeaders, long maxBodyBytes, java.util.List<PluginUse> plugins) {
    this(id, position, index, match, action, requestHeaders, responseHeaders, maxBodyBytes, plugins, MatrixParameters.REFUSE);
  }

  /** A route without plugins of its own. */
  public RouteConfig(String id, SourcePosition position, int index, RouteMatch match, RouteAction action,
      HeaderOps requestHeaders, HeaderOps responseHeaders, long maxBodyBytes) {
    this(id, position, index, match, action, requestHeaders, responseHeaders, maxBodyBytes, java.util.List.of());
  }
}
