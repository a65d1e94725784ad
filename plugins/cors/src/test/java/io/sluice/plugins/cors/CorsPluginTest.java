package io.sluice.plugins.cors;

import io.sluice.plugintest.TestExchange;
import io.sluice.testing.MemoryHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CorsPluginTest {

  static final String APP = "https://app.example.com";
  static final String EVIL = "https://evil.example.org";

  /** Credentials, exact and pattern origins, a few methods and headers. */
  static final CorsPlugin STRICT = new CorsPlugin(new CorsConfig(
      List.of(APP, "https://*.preview.example.com", "http://localhost:5173"),
      List.of("GET", "PUT", "DELETE"),
      List.of("x-custom", "content-type", "authorization"),
      List.of("x-request-id", "x-total-count"),
      true,
      Duration.ofHours(1)));

  /** Any origin, no credentials, any header. */
  static final CorsPlugin PUBLIC = new CorsPlugin(new CorsConfig(
      List.of("*"), List.of(), List.of("*"), List.of(), false, Duration.ofSeconds(90)));

  static TestExchange preflight(String origin, String method, String headers) {
    return headers == null
        ? Requests.of("OPTIONS", "Origin", origin, "Access-Control-Request-Method", method)
        : Requests.of("OPTIONS", "Origin", origin, "Access-Control-Request-Method", method,
            "Access-Control-Request-Headers", headers);
  }

  static DirectResponse answered(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Respond.class);
    return ((Decision.Respond) decision).response();
  }

  static GatewayError refused(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Reply.class);
    return ((Decision.Reply) decision).error();
  }

  @Nested
  class Preflights {

    @Test
    void anAllowedPreflightIsAnsweredWithTheOriginReflected() {
      DirectResponse answer = answered(STRICT.onRequest(preflight(APP, "PUT", "x-custom, content-type")));

      assertThat(answer.status()).isEqualTo(204);
      assertThat(answer.body()).isEmpty();
      assertThat(answer.headers()).containsExactly(
          Map.entry("Access-Control-Allow-Origin", APP),
          Map.entry("Access-Control-Allow-Credentials", "true"),
          Map.entry("Access-Control-Allow-Methods", "GET, PUT, DELETE"),
          Map.entry("Access-Control-Allow-Headers", "x-custom, content-type"),
          Map.entry("Access-Control-Max-Age", "3600"),
          Map.entry("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    }

    @Test
    void requestedHeadersAreComparedIgnoringCase() {
      DirectResponse answer = answered(STRICT.onRequest(preflight(APP, "DELETE", "X-Custom,Authorization")));

      assertThat(answer.headers()).containsEntry("Access-Control-Allow-Headers", "X-Custom,Authorization");
    }

    @Test
    void aPreflightWithoutRequestedHeadersGetsNoAllowHeaders() {
      assertThat(answered(STRICT.onRequest(preflight(APP, "PUT", null))).headers())
          .doesNotContainKey("Access-Control-Allow-Headers");
      assertThat(answered(STRICT.onRequest(preflight(APP, "PUT", ", , "))).headers())
          .doesNotContainKey("Access-Control-Allow-Headers");
    }

    @Test
    void aPatternOriginIsReflected() {
      String origin = "https://pr-7.preview.example.com";

      assertThat(answered(STRICT.onRequest(preflight(origin, "GET", "x-custom"))).headers())
          .containsEntry("Access-Control-Allow-Origin", origin);
    }

    @Test
    void aPreflightFromAnotherOriginIsForbiddenWithoutCorsHeaders() {
      GatewayError error = refused(STRICT.onRequest(preflight(EVIL, "PUT", null)));

      assertThat(error.code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(error.httpStatus()).isEqualTo(403);
      assertThat(error.message()).isEqualTo("CORS preflight from origin https://evil.example.org is not allowed");
      assertThat(error.details()).isEqualTo("cors.origin_not_allowed origin=https://evil.example.org");
      assertThat(error.headers()).isEmpty();
    }

    @Test
    void theBareDomainOfAPatternIsForbidden() {
      assertThat(refused(STRICT.onRequest(preflight("https://preview.example.com", "GET", null))).details())
          .startsWith("cors.origin_not_allowed");
    }

    @Test
    void anotherSchemeOrPortIsForbidden() {
      for (String origin : List.of("http://app.example.com", "https://app.example.com:8443", "http://localhost:5174",
          "https://localhost:5173", "http://127.0.0.1:5173")) {
        assertThat(refused(STRICT.onRequest(preflight(origin, "GET", null))).code()).as(origin).isEqualTo(ErrorCode.FORBIDDEN);
      }
    }

    @Test
    void aMethodNotAllowedIsForbidden() {
      GatewayError error = refused(STRICT.onRequest(preflight(APP, "PATCH", null)));

      assertThat(error.httpStatus()).isEqualTo(403);
      assertThat(error.message()).isEqualTo("CORS preflight from origin https://app.example.com is not allowed to use method PATCH");
      assertThat(error.details()).isEqualTo("cors.method_not_allowed origin=https://app.example.com method=PATCH");
      assertThat(error.headers()).isEmpty();
    }

    @Test
    void methodsAreCaseSensitive() {
      // fetch() upper-cases only the standard methods; a script's "patch" stays "patch" and so must the answer
      assertThat(refused(STRICT.onRequest(preflight(APP, "put", null))).code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(refused(STRICT.onRequest(preflight(APP, "delete", null))).code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void aHeaderNotAllowedIsForbidden() {
      GatewayError error = refused(STRICT.onRequest(preflight(APP, "PUT", "content-type, X-Secret, x-custom")));

      assertThat(error.message()).isEqualTo("CORS preflight from origin https://app.example.com is not allowed to send header X-Secret");
      assertThat(error.details()).isEqualTo("cors.header_not_allowed origin=https://app.example.com header=X-Secret");
      assertThat(error.headers()).isEmpty();
    }

    @Test
    void aListedNullOriginIsAllowedAndReflected() {
      CorsPlugin plugin = new CorsPlugin(new CorsConfig(List.of("null", APP), List.of(), List.of(), List.of(), true, null));

      DirectResponse answer = answered(plugin.onRequest(preflight("null", "POST", null)));

      assertThat(answer.headers()).containsEntry("Access-Control-Allow-Origin", "null")
          .containsEntry("Access-Control-Max-Age", "600")
          .containsEntry("Access-Control-Allow-Methods", "GET, HEAD, POST");
    }

    @Test
    void aNullOriginNotListedIsForbidden() {
      assertThat(refused(STRICT.onRequest(preflight("null", "GET", null))).message())
          .isEqualTo("CORS preflight from origin null is not allowed");
    }

    @Test
    void anyOriginWithoutCredentialsAnswersWildcards() {
      DirectResponse answer = answered(PUBLIC.onRequest(preflight(EVIL, "POST", "x-anything, content-type")));

      assertThat(answer.headers()).containsExactly(
          Map.entry("Access-Control-Allow-Origin", "*"),
          Map.entry("Access-Control-Allow-Methods", "GET, HEAD, POST"),
          Map.entry("Access-Control-Allow-Headers", "*"),
          Map.entry("Access-Control-Max-Age", "90"),
          Map.entry("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    }

    @Test
    void aWildcardDoesNotCoverAuthorizationSoItIsListed() {
      DirectResponse answer = answered(PUBLIC.onRequest(preflight(EVIL, "GET", "authorization, x-anything")));

      assertThat(answer.headers()).containsEntry("Access-Control-Allow-Headers", "authorization, x-anything");
    }

    @Test
    void anyHeaderWithCredentialsReflectsTheRequestedHeaders() {
      CorsPlugin plugin = new CorsPlugin(new CorsConfig(List.of(APP), List.of(), List.of("*"), List.of(), true, null));

      DirectResponse answer = answered(plugin.onRequest(preflight(APP, "POST", "x-one, x-two")));

      assertThat(answer.headers())
          .containsEntry("Access-Control-Allow-Origin", APP)
          .containsEntry("Access-Control-Allow-Credentials", "true")
          .containsEntry("Access-Control-Allow-Headers", "x-one, x-two");
    }

    @Test
    void anyMethodReflectsTheRequestedMethod() {
      CorsPlugin plugin = new CorsPlugin(new CorsConfig(List.of(APP), List.of("*"), List.of(), List.of(), false, null));

      assertThat(answered(plugin.onRequest(preflight(APP, "PROPFIND", null))).headers())
          .containsEntry("Access-Control-Allow-Methods", "PROPFIND")
          .doesNotContainKey("Access-Control-Allow-Credentials");
    }

    @Test
    void aZeroMaxAgeIsSent() {
      CorsPlugin plugin = new CorsPlugin(new CorsConfig(List.of(APP), List.of(), List.of(), List.of(), false, Duration.ZERO));

      assertThat(answered(plugin.onRequest(preflight(APP, "GET", null))).headers()).containsEntry("Access-Control-Max-Age", "0");
    }

    @Test
    void onlyOptionsWithOriginAndRequestMethodIsAPreflight() {
      assertThat(STRICT.onRequest(Requests.of("OPTIONS", "Origin", APP))).isSameAs(Decision.proceed());
      assertThat(STRICT.onRequest(Requests.of("OPTIONS", "Access-Control-Request-Method", "PUT"))).isSameAs(Decision.proceed());
      assertThat(STRICT.onRequest(Requests.of("PUT", "Origin", EVIL, "Access-Control-Request-Method", "PUT")))
          .isSameAs(Decision.proceed());
    }

    @Test
    void theAnswerToAPreflightIsLeftAloneOnTheWayOut() {
      TestExchange exchange = preflight(APP, "PUT", "x-custom");
      DirectResponse answer = answered(STRICT.onRequest(exchange));
      TestResponse response = new TestResponse(204, new MemoryHeaders(), true);
      answer.headers().forEach(response.headers()::add);
      List<String> before = response.headers().lines();

      STRICT.onResponse(exchange, response);

      assertThat(response.headers().lines()).isEqualTo(before);
    }

    @Test
    void theRefusalOfAPreflightGetsNoCorsHeadersOnTheWayOut() {
      TestExchange exchange = preflight(EVIL, "PUT", null);
      refused(STRICT.onRequest(exchange));
      TestResponse response = TestResponse.gatewayError(403);

      STRICT.onResponse(exchange, response);

      assertThat(response.headers().lines()).containsExactly("content-type: application/json");
    }
  }

  @Nested
  class ActualRequests {

    @Test
    void goOnToTheUpstream() {
      assertThat(STRICT.onRequest(Requests.of("PUT", "Origin", APP))).isSameAs(Decision.proceed());
      assertThat(STRICT.onRequest(Requests.of("DELETE", "Origin", EVIL))).isSameAs(Decision.proceed());
      assertThat(STRICT.onRequest(Requests.of("GET"))).isSameAs(Decision.proceed());
    }

    @Test
    void anAllowedOriginGetsTheCorsHeaders() {
      TestResponse response = TestResponse.upstream(200, "content-type", "text/plain");

      STRICT.onResponse(Requests.of("PUT", "Origin", APP), response);

      assertThat(response.headers().lines()).containsExactly(
          "content-type: text/plain",
          "vary: Origin",
          "access-control-allow-origin: https://app.example.com",
          "access-control-allow-credentials: true",
          "access-control-expose-headers: x-request-id, x-total-count");
    }

    @Test
    void anotherOriginGetsNoCorsHeadersButVary() {
      TestResponse response = TestResponse.upstream(200, "content-type", "text/plain");

      STRICT.onResponse(Requests.of("GET", "Origin", EVIL), response);

      assertThat(response.headers().lines()).containsExactly("content-type: text/plain", "vary: Origin");
    }

    @Test
    void errorResponsesGetTheHeadersTooSoScriptsCanReadThem() {
      TestResponse response = TestResponse.gatewayError(502);

      STRICT.onResponse(Requests.of("GET", "Origin", "https://a.b.preview.example.com"), response);

      assertThat(response.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://a.b.preview.example.com");
      assertThat(response.headers().get("Access-Control-Allow-Credentials")).isEqualTo("true");
    }

    @Test
    void theUpstreamsOwnAllowOriginIsReplaced() {
      TestResponse response = TestResponse.upstream(200, "Access-Control-Allow-Origin", "*");

      STRICT.onResponse(Requests.of("GET", "Origin", APP), response);

      assertThat(response.headers().getAll("Access-Control-Allow-Origin")).containsExactly(APP);
    }

    @Test
    void anActualOptionsRequestGetsTheHeaders() {
      TestResponse response = TestResponse.upstream(200);

      STRICT.onResponse(Requests.of("OPTIONS", "Origin", APP), response);

      assertThat(response.headers().get("Access-Control-Allow-Origin")).isEqualTo(APP);
    }

    @Test
    void anyOriginWithoutCredentialsGetsAWildcardAndNoVary() {
      TestResponse response = TestResponse.upstream(200);

      PUBLIC.onResponse(Requests.of("GET", "Origin", EVIL), response);

      assertThat(response.headers().lines()).containsExactly("access-control-allow-origin: *");
    }

    @Test
    void aListedNullOriginIsReflected() {
      CorsPlugin plugin = new CorsPlugin(new CorsConfig(List.of("null"), List.of(), List.of(), List.of(), false, null));
      TestResponse response = TestResponse.upstream(200);

      plugin.onResponse(Requests.of("POST", "Origin", "null"), response);

      assertThat(response.headers().lines()).containsExactly("vary: Origin", "access-control-allow-origin: null");
    }

    @Test
    void aRequestWithoutOriginGetsOnlyVary() {
      // A shared cache must not hand this response to a cross-origin caller: it would lack the headers.
      TestResponse response = TestResponse.upstream(200, "content-type", "text/plain");

      STRICT.onResponse(Requests.of("GET"), response);

      assertThat(response.headers().lines()).containsExactly("content-type: text/plain", "vary: Origin");
    }

    @Test
    void aRequestWithoutOriginIsUntouchedWhenTheAnswerIsTheSameForEveryOrigin() {
      TestResponse response = TestResponse.upstream(200, "content-type", "text/plain");

      PUBLIC.onResponse(Requests.of("GET"), response);

      assertThat(response.headers().lines()).containsExactly("content-type: text/plain");
    }
  }

  @Nested
  class Vary {

    List<String> varyAfter(String... existing) {
      TestResponse response = TestResponse.upstream(200);
      for (String value : existing) {
        response.headers().add("Vary", value);
      }
      STRICT.onResponse(Requests.of("GET", "Origin", APP), response);
      return response.headers().getAll("vary");
    }

    @Test
    void isAppendedToAnExistingVary() {
      assertThat(varyAfter("Accept-Encoding")).containsExactly("Accept-Encoding, Origin");
    }

    @Test
    void isNotDuplicated() {
      assertThat(varyAfter("origin")).containsExactly("origin");
      assertThat(varyAfter("Accept-Encoding, Origin")).containsExactly("Accept-Encoding, Origin");
      assertThat(varyAfter("Accept-Encoding", " Origin ")).containsExactly("Accept-Encoding", " Origin ");
    }

    @Test
    void isNotAddedToVaryStar() {
      assertThat(varyAfter("*")).containsExactly("*");
    }

    @Test
    void isAddedAsAFieldOfItsOwnNextToSeveral() {
      assertThat(varyAfter("Accept-Encoding", "Accept-Language")).containsExactly("Accept-Encoding", "Accept-Language", "Origin");
    }

    @Test
    void replacesAnEmptyVary() {
      assertThat(varyAfter("")).containsExactly("Origin");
    }

    @Test
    void doesNotMistakeASimilarName() {
      assertThat(varyAfter("X-Origin-Id")).containsExactly("X-Origin-Id, Origin");
    }
  }
}
