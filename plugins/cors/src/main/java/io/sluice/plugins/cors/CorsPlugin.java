package io.sluice.plugins.cors;

import io.sluice.spi.AllowedOrigins;
import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Headers;
import io.sluice.spi.Plugin;
import io.sluice.spi.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CORS protocol for one route (Fetch standard, "CORS protocol"). A preflight is answered
 * here and never reaches the upstream; an actual request goes on, and its response gets the
 * CORS headers when its origin is allowed. Everything that does not depend on the request is
 * rendered once, in the constructor.
 */
final class CorsPlugin implements Plugin {

  static final String ORIGIN = "Origin";
  static final String REQUEST_METHOD = "Access-Control-Request-Method";
  static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
  static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
  static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
  static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
  static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
  static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
  static final String MAX_AGE = "Access-Control-Max-Age";
  static final String VARY = "Vary";
  static final String PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
  private static final String[] AUTHORIZATION = {"authorization"};
  private static final String[] ORIGIN_OR_STAR = {"origin", "*"};

  private final AllowedOrigins origins;
  private final boolean credentials;
  /** {@code *} instead of the request's origin: any origin, and no credentials. */
  private final boolean wildcardOrigin;
  /** Whether a response differs by origin, so caches must key it by {@code Origin}. */
  private final boolean varyByOrigin;
  private final boolean anyMethod;
  private final String[] methods;
  private final String allowMethods;
  private final boolean anyHeader;
  private final String[] headers;
  /** {@code null} when nothing is exposed. */
  private final String exposeHeaders;
  private final String maxAge;

  CorsPlugin(CorsConfig config) {
    this.origins = AllowedOrigins.of(config.allowOrigins());
    this.credentials = config.allowCredentials();
    this.wildcardOrigin = origins.any() && !credentials;
    this.varyByOrigin = !wildcardOrigin;
    this.anyMethod = config.allowMethods().equals(List.of("*"));
    this.methods = config.allowMethods().toArray(String[]::new);
    this.allowMethods = String.join(", ", config.allowMethods());
    this.anyHeader = config.allowHeaders().equals(List.of("*"));
    this.headers = config.allowHeaders().toArray(String[]::new);
    this.exposeHeaders = config.exposeHeaders().isEmpty() ? null : String.join(", ", config.exposeHeaders());
    this.maxAge = Long.toString(config.maxAge().toSeconds());
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    Headers request = exchange.requestHeaders();
    String origin = request.get(ORIGIN);
    if (origin == null || !exchange.method().equals("OPTIONS")) {
      return Decision.proceed();
    }
    String method = request.get(REQUEST_METHOD);
    if (method == null) {
      return Decision.proceed(); // an actual OPTIONS request, for the upstream to answer
    }
    if (!origins.allows(origin)) {
      return refuse(origin, "", "cors.origin_not_allowed origin=" + origin);
    }
    if (!anyMethod && !isOneOf(method, methods)) {
      return refuse(origin, " to use method " + method, "cors.method_not_allowed origin=" + origin + " method=" + method);
    }
    String requested = request.get(REQUEST_HEADERS);
    if (requested != null && TokenList.isEmpty(requested)) {
      requested = null;
    }
    if (requested != null && !anyHeader) {
      String refused = TokenList.firstNotIn(requested, headers);
      if (refused != null) {
        return refuse(origin, " to send header " + refused,
            "cors.header_not_allowed origin=" + origin + " header=" + refused);
      }
    }
    return Decision.respond(preflightAnswer(origin, method, requested));
  }

  private DirectResponse preflightAnswer(String origin, String method, String requestedHeaders) {
    Map<String, String> answer = new LinkedHashMap<>(16);
    answer.put(ALLOW_ORIGIN, wildcardOrigin ? "*" : origin);
    if (credentials) {
      answer.put(ALLOW_CREDENTIALS, "true");
    }
    answer.put(ALLOW_METHODS, anyMethod ? method : allowMethods);
    if (requestedHeaders != null) {
      answer.put(ALLOW_HEADERS, allowHeaders(requestedHeaders));
    }
    answer.put(MAX_AGE, maxAge);
    answer.put(VARY, PREFLIGHT_VARY);
    return new DirectResponse(204, answer, "");
  }

  /**
   * The requested headers, which are all allowed by now. {@code *} says the same without
   * credentials, except for {@code Authorization}, which browsers never let a {@code *} cover.
   */
  private String allowHeaders(String requested) {
    if (anyHeader && !credentials && !TokenList.containsAny(requested, AUTHORIZATION)) {
      return "*";
    }
    return requested.strip();
  }

  private static Decision refuse(String origin, String what, String details) {
    return Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "CORS preflight from origin " + origin
        + " is not allowed" + what).withDetails(details));
  }

  @Override
  public void onResponse(Exchange exchange, Response response) {
    Headers request = exchange.requestHeaders();
    String origin = request.get(ORIGIN);
    Headers out = response.headers();
    if (origin == null) {
      // A cache may hand this response to a cross-origin caller later: key it by Origin too.
      if (varyByOrigin) {
        varyOnOrigin(out);
      }
      return;
    }
    if (exchange.method().equals("OPTIONS") && request.contains(REQUEST_METHOD)) {
      return; // a preflight: answered or refused in onRequest, complete as it is
    }
    if (varyByOrigin) {
      varyOnOrigin(out);
    }
    if (!origins.allows(origin)) {
      return;
    }
    out.set(ALLOW_ORIGIN, wildcardOrigin ? "*" : origin);
    if (credentials) {
      out.set(ALLOW_CREDENTIALS, "true");
    }
    if (exposeHeaders != null) {
      out.set(EXPOSE_HEADERS, exposeHeaders);
    }
  }

  /** Adds {@code Origin} to {@code Vary} unless it (or {@code *}) is already there. */
  static void varyOnOrigin(Headers headers) {
    String first = headers.get(VARY);
    if (first == null) {
      headers.set(VARY, ORIGIN);
      return;
    }
    List<String> values = headers.getAll(VARY);
    for (String value : values) {
      if (TokenList.containsAny(value, ORIGIN_OR_STAR)) {
        return;
      }
    }
    if (values.size() == 1) {
      headers.set(VARY, TokenList.isEmpty(first) ? ORIGIN : first + ", " + ORIGIN);
    } else {
      headers.add(VARY, ORIGIN);
    }
  }

  private static boolean isOneOf(String value, String[] candidates) {
    for (String candidate : candidates) {
      if (candidate.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
