package io.sluice.cli;

import io.sluice.config.GatewayConfig;
import io.sluice.config.RouteAction;
import io.sluice.routing.HostNormalizer;
import io.sluice.routing.MatchInput;
import io.sluice.routing.NormalizedPath;
import io.sluice.routing.PathNormalizer;
import io.sluice.routing.RouteMatchResult;
import io.sluice.routing.RouteTable;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sluice explain FILE METHOD URL [-H 'Name: value']...}: which route a request would
 * match, why each other route did or did not, what rewrite applies and where it goes.
 */
public final class Explain {

  private Explain() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() < 3) {
      throw new Sluice.UsageException("explain needs FILE METHOD URL [-H 'Name: value']...");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 3; i < args.size(); i++) {
      if (!args.get(i).equals("-H") || i + 1 == args.size()) {
        throw new Sluice.UsageException("unexpected '" + args.get(i) + "' (expected -H 'Name: value')");
      }
      String header = args.get(++i);
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new Sluice.UsageException("header '" + header + "' is not 'Name: value'");
      }
      headers.computeIfAbsent(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(header.substring(colon + 1).trim());
    }
    GatewayConfig config;
    try {
      config = new Sluice(out, err).load(args.get(0)).config();
    } catch (Sluice.InvalidConfig e) {
      return Sluice.INVALID;
    }
    try {
      out.print(explain(config, args.get(1), args.get(2), headers));
    } catch (IllegalArgumentException e) {
      throw new Sluice.UsageException(e.getMessage());
    }
    return Sluice.OK;
  }

  /**
   * Which route of {@code config} a request would match, and why: what {@code sluice explain}
   * prints and {@code POST /admin/explain} returns.
   *
   * @param headers request headers, names in lower case
   * @throws IllegalArgumentException when {@code url} is not a valid URL
   */
  public static String explain(GatewayConfig config, String methodName, String url, Map<String, List<String>> headers) {
    java.io.StringWriter text = new java.io.StringWriter();
    java.io.PrintWriter out = new java.io.PrintWriter(text);
    String method = methodName.toUpperCase(Locale.ROOT);
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("URL '" + url + "' is not valid: " + e.getReason());
    }
    // The live path's rules: the URL's authority stands in for Host, as for an absolute-form target.
    String authority = uri.getRawAuthority() != null ? uri.getRawAuthority() : hostHeader(headers);
    String host = HostNormalizer.hostOf(authority);
    String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (host == null) {
      out.println(method + " " + rawPath + ": rejected with 400 BAD_REQUEST before routing: " + HostNormalizer.problem(authority));
      out.flush();
      return text.toString();
    }
    NormalizedPath.Ok normalized;
    switch (PathNormalizer.normalize(rawPath)) {
      case NormalizedPath.Ok ok -> normalized = ok;
      case NormalizedPath.Rejection rejection -> {
        out.println(method + " " + rawPath + ": rejected with 400 BAD_REQUEST before routing: " + rejection.reason());
        out.flush();
        return text.toString();
      }
    }
    String path = normalized.path();
    if (!normalized.matrixPath().equals(rawPath)) {
      out.println("path " + rawPath + " is normalized to " + normalized.matrixPath() + " before matching");
    }
    if (normalized.hasMatrixParameters()) {
      out.println("matrix parameters are set aside: routes and plugins see " + path);
    }
    RouteTable table = RouteTable.compile(config.routes());
    MatchInput input = MatchInput.of(method, host, normalized, headers, uri.getRawQuery() == null ? "" : uri.getRawQuery());
    var explanation = table.explain(input);
    out.print(explanation.render());
    if (explanation.result() instanceof RouteMatchResult.Matched matched) {
      var route = matched.route().config();
      out.println();
      switch (route.action()) {
        case RouteAction.Respond respond -> out.println("answered by the gateway: " + RouteListing.describeAction(respond));
        case RouteAction.Forward forward -> {
          String upstreamPath = matched.route().upstreamPath(path, normalized.matrixPath(), matched.params());
          String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
          if (forward.split().isEmpty()) {
            out.println("forwarded to upstream '" + forward.upstream() + "' "
                + config.upstreams().get(forward.upstream()).endpoints() + " as " + method + " " + upstreamPath + query);
          } else {
            out.println(RouteListing.describeAction(forward) + ", as " + method + " " + upstreamPath + query);
          }
        }
      }
    }
    out.flush();
    return text.toString();
  }

  private static String hostHeader(Map<String, List<String>> headers) {
    List<String> host = headers.get("host");
    return host == null || host.isEmpty() ? "" : host.get(0);
  }
}
