package io.sluice.config;

import static io.sluice.config.YamlSnippets.HEADER;
import static io.sluice.config.YamlSnippets.routeProblems;
import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Route mistakes; every snippet follows {@link YamlSnippets#HEADER}, so routes start on line 7. */
class ConfigRoutesTest {

  @Test
  void routeIdsAreRequiredWellFormedAndUnique() {
    assertThat(routeProblems("""
          - { id: users, match: { path: /a }, upstream: users }
          - { id: users, match: { path: /b }, upstream: users }
          - { id: "a/b", match: { path: /c }, upstream: users }
          - { match: { path: /d }, upstream: users }
        """)).containsExactly(
            "sluice.yaml:8:11 routes[1].id: duplicate route id 'users' (first at line 7)",
            "sluice.yaml:9:11 routes[2].id: 'a/b' (expected: a route id of letters, digits, '_', '.' and '-')",
            "sluice.yaml:10:5 routes[3]: missing required key 'id'");
  }

  @Test
  void unknownUpstreamSuggestsTheClosestNameOrListsThem() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: user }
          - { id: b, match: { path: /b }, upstream: payments }
        """)).containsExactly(
            "sluice.yaml:7:45 routes[0].upstream: unknown upstream 'user' (did you mean 'users'?)",
            "sluice.yaml:8:45 routes[1].upstream: unknown upstream 'payments' (expected one of: users, orders)");
  }

  @Test
  void unknownUpstreamWhenNoneAreDefined() {
    List<String> problems = YamlSnippets.problems("""
        server:
          listeners: [{ name: public, port: 8080 }]
        routes:
          - { id: a, match: { path: /a }, upstream: users }
        """);

    assertThat(problems).containsExactly(
        "sluice.yaml:4:45 routes[0].upstream: unknown upstream 'users' (no upstreams are defined under 'upstreams')");
  }

  @Test
  void aRouteEitherForwardsOrResponds() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: users, respond: { status: 200 } }
          - { id: b, match: { path: /b } }
          - { id: c, match: { path: /c }, respond: { status: 200 }, rewrite: { strip_prefix: /c }, timeout: 1s }
          - { id: d, match: { path: /d }, respond: { status: 200 }, request_headers: { set: { x-a: b } } }
        """)).containsExactly(
            "sluice.yaml:7:5 routes[0]: expected either 'upstream' or 'respond', not both",
            "sluice.yaml:8:5 routes[1]: missing 'upstream' or 'respond' (expected: an upstream to forward to, or a response to answer with)",
            "sluice.yaml:9:61 routes[2]: 'rewrite' applies only to routes with 'upstream'",
            "sluice.yaml:9:92 routes[2]: 'timeout' applies only to routes with 'upstream'",
            "sluice.yaml:10:61 routes[3]: 'request_headers' applies only to routes with 'upstream'");
  }

  @Test
  void retryNonIdempotentIsABooleanForForwardingRoutes() throws ConfigException {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: users, retry_non_idempotent: maybe }
          - { id: b, match: { path: /b }, respond: { status: 200 }, retry_non_idempotent: true }
        """)).containsExactly(
            "sluice.yaml:7:74 routes[0].retry_non_idempotent: 'maybe' (expected: true or false)",
            "sluice.yaml:8:61 routes[1]: 'retry_non_idempotent' applies only to routes with 'upstream'");

    GatewayConfig config = valid(HEADER + """
          - { id: a, match: { path: /a }, upstream: users, retry_non_idempotent: true }
          - { id: b, match: { path: /b }, upstream: users }
        """);
    assertThat(((RouteAction.Forward) config.routes().get(0).action()).retryNonIdempotent()).isTrue();
    assertThat(((RouteAction.Forward) config.routes().get(1).action()).retryNonIdempotent()).isFalse();
  }

  @Test
  void headerValuesMustBeSendableAsTheyAre() {
    assertThat(routeProblems("""
          - id: a
            match: { path: /a }
            respond:
              status: 200
              headers: { x-lead: " spaced", x-bell: "ring\\a", x-tab: "a\\tb", x-latin: "caf\u00e9" }
        """)).containsExactly( // a tab inside and Latin-1 letters are field content
            "sluice.yaml:11:26 routes[0].respond.headers.x-lead: ' spaced' cannot be sent as a header value (expected: one line"
                + " without control characters, characters beyond U+00FF or leading whitespace)",
            "sluice.yaml:11:45 routes[0].respond.headers.x-bell: 'ring\\u0007' cannot be sent as a header value (expected: one line"
                + " without control characters, characters beyond U+00FF or leading whitespace)");
  }

  @Test
  void respondNeedsAStatusAndValidHeaders() {
    assertThat(routeProblems("""
          - id: a
            match: { path: /a }
            respond: { status: 99 }
          - id: b
            match: { path: /b }
            respond:
              headers: { content-length: "2", "bad name": x, x-ok: "line\\nbreak" }
              body: ok
        """)).containsExactly(
            "sluice.yaml:9:24 routes[0].respond.status: '99' (expected: an HTTP status 200..599)",
            "sluice.yaml:13:7 routes[1].respond: missing required key 'status'",
            "sluice.yaml:13:18 routes[1].respond.headers: header 'content-length' cannot be set (the gateway writes connection and framing headers itself)",
            "sluice.yaml:13:39 routes[1].respond.headers: 'bad name' (expected: a header name of letters, digits and !#$%&'*+-.^_`|~)",
            "sluice.yaml:13:60 routes[1].respond.headers.x-ok: 'line\\nbreak' cannot be sent as a header value (expected: one line without control characters,"
                + " characters beyond U+00FF or leading whitespace)");
  }

  @Test
  void headerOpsRejectManagedHeadersBadNamesAndRepeatedNames() {
    assertThat(routeProblems("""
          - id: a
            match: { path: /a }
            upstream: users
            request_headers:
              remove: [x-internal, "x internal"]
              set: { Host: example.com, X-Tag: a, x-tag: b }
              add: { Transfer-Encoding: chunked }
            response_headers: { add: { connection: close }, sett: {} }
        """)).containsExactly(
            "sluice.yaml:11:28 routes[0].request_headers.remove[1]: 'x internal' (expected: a header name of letters, digits and !#$%&'*+-.^_`|~)",
            "sluice.yaml:12:14 routes[0].request_headers.set: header 'host' cannot be set (the gateway writes connection and framing headers itself)",
            "sluice.yaml:12:43 routes[0].request_headers.set: duplicate header 'x-tag' (first at line 12)",
            "sluice.yaml:13:14 routes[0].request_headers.add: header 'transfer-encoding' cannot be added (the gateway writes connection and framing headers itself)",
            "sluice.yaml:14:32 routes[0].response_headers.add: header 'connection' cannot be added (the gateway writes connection and framing headers itself)",
            "sluice.yaml:14:53 routes[0].response_headers: unknown key 'sett' (did you mean 'set'?)");
  }

  @Test
  void matchConditionsAreChecked() {
    assertThat(routeProblems("""
          - id: a
            match:
              host: [api.example.com:443, "*.example.com", "*"]
              path: /a
              methods: [GET, "GET /"]
              headers:
                x-one: { present: true, absent: true }
                x-two: { present: false }
                x-three: { regex: "(unclosed" }
                x-four: {}
              query: { v: { regex: "[0-9]+" }, w: { equals: 1 } }
            upstream: users
          - id: b
            match: { host: "Api.Example.com" }
            upstream: users
        """)).containsExactly(
            "sluice.yaml:9:14 routes[0].match.host[0]: 'api.example.com:443' has a port (expected: a host without a port; routes match any port)",
            "sluice.yaml:9:52 routes[0].match.host[2]: '*' (expected: a host name such as api.example.com, a wildcard such as *.example.com, or an IP address)",
            "sluice.yaml:11:22 routes[0].match.methods[1]: 'GET /' (expected: an HTTP method such as GET)",
            "sluice.yaml:13:16 routes[0].match.headers.x-one: expected exactly one of: present, absent, regex",
            "sluice.yaml:14:27 routes[0].match.headers.x-two.present: 'false' (expected: true)",
            "sluice.yaml:15:27 routes[0].match.headers.x-three.regex: '(unclosed' is not a valid regular expression (Unclosed group near index 9)",
            "sluice.yaml:16:17 routes[0].match.headers.x-four: expected exactly one of: present, absent, regex",
            "sluice.yaml:17:45 routes[0].match.query.w: unknown key 'equals' (expected one of: present, absent, regex)",
            "sluice.yaml:20:12 routes[1].match: missing required key 'path'");
  }

  @Test
  void hostTakesOneHostOrAListAndIsLowerCased() throws Exception {
    GatewayConfig config = valid(HEADER + """
          - { id: a, match: { host: Api.Example.com, path: /a }, upstream: users }
          - { id: b, match: { host: ["*.Example.org", "[::1]", 10.0.0.1], path: /b }, upstream: users }
          - { id: c, match: { host: [admin.example.com., "[0:0::1]"], path: /c }, upstream: users }
        """);

    assertThat(config.routes().get(0).match().hosts()).containsExactly(HostPattern.exact("api.example.com"));
    assertThat(config.routes().get(1).match().hosts())
        .containsExactly(HostPattern.wildcard(".example.org"), HostPattern.exact("::1"), HostPattern.exact("10.0.0.1"));
    assertThat(config.routes().get(2).match().hosts())
        .containsExactly(HostPattern.exact("admin.example.com"), HostPattern.exact("::1"));
  }

  @Test
  void stripPrefixMustBeALiteralPrefixOnASegmentBoundary() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /api/v1/users/** }, upstream: users, rewrite: { strip_prefix: /api/v } }
          - { id: b, match: { path: "/{tenant}/**" }, upstream: users, rewrite: { strip_prefix: /t } }
          - { id: c, match: { path: /api }, upstream: users, rewrite: { strip_prefix: api } }
        """)).containsExactly(
            "sluice.yaml:7:91 routes[0].rewrite.strip_prefix: '/api/v' is not a prefix of every path matched by '/api/v1/users/**'"
                + " (expected: /api, /api/v1 or /api/v1/users)",
            "sluice.yaml:8:89 routes[1].rewrite.strip_prefix: '/t' is not a prefix of every path matched by '/{tenant}/**'"
                + " (the pattern starts with a parameter or wildcard, so nothing can be stripped)",
            "sluice.yaml:9:79 routes[2].rewrite.strip_prefix: 'api' (expected: a path prefix starting with '/')");
  }

  @Test
  void replacePrefixChecksFromLikeStripPrefixAndToStartsWithASlash() {
    assertThat(routeProblems("""
          - id: a
            match: { path: /v1/users/** }
            upstream: users
            rewrite: { replace_prefix: { from: /v2, to: v2 } }
          - id: b
            match: { path: /v1/users/** }
            upstream: users
            rewrite: { replace_prefix: { from: /v1 } }
        """)).containsExactly(
            "sluice.yaml:10:40 routes[0].rewrite.replace_prefix.from: '/v2' is not a prefix of every path matched by '/v1/users/**'"
                + " (expected: /v1 or /v1/users)",
            "sluice.yaml:10:49 routes[0].rewrite.replace_prefix.to: 'v2' (expected: a path prefix starting with '/', without '?' or '#')",
            "sluice.yaml:14:32 routes[1].rewrite.replace_prefix: missing required key 'to'");
  }

  @Test
  void pathTemplateMayUseOnlyTheMatchedParameters() {
    assertThat(routeProblems("""
          - { id: a, match: { path: "/u/{id}/{tab}" }, upstream: users, rewrite: { path: "/users/{uid}" } }
          - { id: b, match: { path: /u }, upstream: users, rewrite: { path: "/users/{id}" } }
          - { id: c, match: { path: "/u/{id}" }, upstream: users, rewrite: { path: "/users/{id" } }
          - { id: d, match: { path: "/u/{id}" }, upstream: users, rewrite: { path: "/u/{id}", strip_prefix: /u } }
        """)).containsExactly(
            "sluice.yaml:7:82 routes[0].rewrite.path: unknown parameter 'uid' in '/users/{uid}' (the path pattern '/u/{id}/{tab}' has: id, tab)",
            "sluice.yaml:8:69 routes[1].rewrite.path: unknown parameter 'id' in '/users/{id}' (the path pattern '/u' has no parameters)",
            "sluice.yaml:9:76 routes[2].rewrite.path: '/users/{id' has a '{' without '}' (expected: parameters such as {id})",
            "sluice.yaml:10:68 routes[3].rewrite: expected exactly one of: strip_prefix, replace_prefix, path");
  }

  @Test
  void validRewritesBindToTheRewriteRecord() throws Exception {
    GatewayConfig config = valid(HEADER + """
          - { id: a, match: { path: /api/v1/users/** }, upstream: users, rewrite: { strip_prefix: /api } }
          - { id: b, match: { path: /api/v1 }, upstream: users, rewrite: { strip_prefix: /api/v1 } }
          - { id: c, match: { path: "/u/{id}/**" }, upstream: users, rewrite: { path: "/users/{id}/profile" } }
          - { id: d, match: { path: /v1/** }, upstream: users, rewrite: { replace_prefix: { from: /v1, to: / } } }
        """);

    assertThat(config.routes()).extracting(r -> ((RouteAction.Forward) r.action()).rewrite()).containsExactly(
        new Rewrite(Rewrite.Kind.STRIP_PREFIX, "/api", ""),
        new Rewrite(Rewrite.Kind.STRIP_PREFIX, "/api/v1", ""),
        new Rewrite(Rewrite.Kind.TEMPLATE, "", "/users/{id}/profile"),
        new Rewrite(Rewrite.Kind.REPLACE_PREFIX, "/v1", "/"));
  }

  @Test
  void routeTimeoutAndBodyLimitAreChecked() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: users, timeout: 0s, max_body_bytes: 1.5MiB }
        """)).containsExactly(
            "sluice.yaml:7:61 routes[0].timeout: '0s' (expected: a duration greater than 0, such as 10s)",
            "sluice.yaml:7:81 routes[0].max_body_bytes: '1.5MiB' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)");
  }

  @Test
  void matrixParametersAreRefusedUnlessARouteStripsOrForwardsThem() throws Exception {
    GatewayConfig config = valid(HEADER + """
          - { id: a, match: { path: /a }, upstream: users }
          - { id: b, match: { path: /b }, upstream: users, matrix_parameters: strip }
          - { id: c, match: { path: /c/** }, upstream: users, matrix_parameters: forward, rewrite: { strip_prefix: /c } }
          - { id: d, match: { path: /d }, respond: { status: 200 }, matrix_parameters: strip }
          - { id: e, match: { path: /e }, upstream: users, matrix_parameters: refuse }
        """);

    assertThat(config.routes()).extracting(RouteConfig::matrixParameters).containsExactly(MatrixParameters.REFUSE,
        MatrixParameters.STRIP, MatrixParameters.FORWARD, MatrixParameters.STRIP, MatrixParameters.REFUSE);
  }

  @Test
  void matrixParametersNamesWhatIsWrong() {
    assertThat(routeProblems("""
          - { id: a, match: { path: /a }, upstream: users, matrix_parameters: foward }
          - { id: b, match: { path: /b }, respond: { status: 200 }, matrix_parameters: forward }
          - { id: c, match: { path: "/c/{id}" }, upstream: users, rewrite: { path: "/x/{id}" }, matrix_parameters: forward }
          - { id: d, match: { path: /d }, upstream: users, matrix_parameters: true }
        """)).containsExactly(
            "sluice.yaml:7:71 routes[0].matrix_parameters: unknown matrix_parameters value 'foward' (did you mean 'forward'?)",
            "sluice.yaml:8:80 routes[1].matrix_parameters: 'forward' applies only to routes with 'upstream' (expected: refuse or strip)",
            "sluice.yaml:9:108 routes[2].matrix_parameters: 'forward' cannot be combined with rewrite 'path', which builds a new"
                + " path with no place for them (expected: strip, or a strip_prefix or replace_prefix rewrite)",
            "sluice.yaml:10:71 routes[3].matrix_parameters: unknown matrix_parameters value 'true' (expected one of: refuse, strip, forward)");
  }

  @Test
  void respondRouteBindsStatusHeadersAndBody() throws Exception {
    GatewayConfig config = valid(HEADER + """
          - id: down
            match: { host: maintenance.localhost, path: /** }
            respond:
              status: 503
              headers: { Content-Type: application/json, Retry-After: 120 }
              body: |
                {"error": "maintenance"}
        """);

    assertThat(config.routes().get(0).action()).isEqualTo(new RouteAction.Respond(
        503, Map.of("content-type", "application/json", "retry-after", "120"), "{\"error\": \"maintenance\"}\n"));
  }
}
