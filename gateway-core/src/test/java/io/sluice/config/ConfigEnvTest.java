package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigEnvTest {

  private static final Map<String, String> ENV = Map.of("HOST", "users.internal", "PORT", "9001", "EMPTY", "", "WORD", "abc");

  private static String substitute(String text) {
    return EnvSubstitution.apply(text, ENV::get);
  }

  @Test
  void replacesVariablesAnywhereInAValueAndSeveralTimes() {
    assertThat(substitute("${HOST}")).isEqualTo("users.internal");
    assertThat(substitute("http://${HOST}:${PORT}/")).isEqualTo("http://users.internal:9001/");
    assertThat(substitute("no variables here")).isEqualTo("no variables here");
  }

  @Test
  void defaultIsUsedWhenTheVariableIsUnsetOrEmpty() {
    assertThat(substitute("${MISSING:-8080}")).isEqualTo("8080");
    assertThat(substitute("${EMPTY:-fallback}")).isEqualTo("fallback");
    assertThat(substitute("${PORT:-8080}")).isEqualTo("9001");
    assertThat(substitute("${MISSING:-}")).isEqualTo("");
    assertThat(substitute("${EMPTY}")).isEqualTo("");
  }

  @Test
  void doubleDollarEscapesALiteralReference() {
    assertThat(substitute("$${HOST} costs $5")).isEqualTo("${HOST} costs $5");
    assertThat(substitute("a$${HOST}b${PORT}")).isEqualTo("a${HOST}b9001");
  }

  @Test
  void replacementsAreNotScannedAgain() {
    assertThat(EnvSubstitution.apply("${A}", Map.of("A", "${B}", "B", "no")::get)).isEqualTo("${B}");
  }

  @Test
  void malformedReferencesAreErrors() {
    assertThatThrownBy(() -> substitute("${HOST"))
        .hasMessage("'${HOST' has an unclosed '${' (expected: ${NAME} or ${NAME:-default}; write $${ for a literal ${)");
    assertThatThrownBy(() -> substitute("${9LIVES}"))
        .hasMessage("'${9LIVES}' refers to '9LIVES' (expected: a variable name of letters, digits and '_', not starting with a digit)");
    assertThatThrownBy(() -> substitute("${}"))
        .hasMessage("'${}' refers to '' (expected: a variable name of letters, digits and '_', not starting with a digit)");
  }

  @Test
  void unsetVariableWithoutDefaultIsAnErrorAtThatScalar() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners:
            - { name: public, port: "${PORT}" }
            - { name: "${LISTENER}", port: 8081 }
        routes: []
        """, ENV)).containsExactly(
            "sluice.yaml:4:15 server.listeners[1].name: environment variable 'LISTENER' is not set (set it, or give a default: ${LISTENER:-default})");
  }

  @Test
  void substitutedValuesAreCheckedLikeWrittenOnes() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: public, port: "${WORD}" }]
        routes: []
        """, ENV)).containsExactly("sluice.yaml:2:37 server.listeners[0].port: 'abc' (expected: a port 0..65535)");
  }

  @Test
  void substitutionFeedsEveryKindOfValue() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        server:
          listeners: [{ name: public, port: "${PORT}" }]
          limits: { max_body_bytes: "${BODY:-2MiB}" }
        upstreams:
          users: { endpoints: ["http://${HOST}:${PORT}"] }
        routes:
          - id: a
            match: { path: /a }
            upstream: users
            request_headers: { set: { x-price: "$${not a variable}" } }
        """, "sluice.yaml", ENV::get);

    assertThat(config.server().listeners().get(0).port()).isEqualTo(9001);
    assertThat(config.server().limits().maxBodyBytes()).isEqualTo(2L * 1024 * 1024);
    assertThat(config.upstreams().get("users").endpoints()).containsExactly(new Endpoint("http", "users.internal", 9001));
    assertThat(config.routes().get(0).requestHeaders().set()).containsEntry("x-price", "${not a variable}");
  }

  @Test
  void keysAreNotSubstituted() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: public, port: 8080 }]
          ${KEY}: 1
        routes: []
        """, Map.of("KEY", "event_loops"))).containsExactly(
            "sluice.yaml:3:3 server: unknown key '${KEY}' (expected one of: listeners, admin, trusted_proxies, limits, http2, event_loops,"
                + " transport, drain_timeout, access_log, dns, strip_request_headers, reload, tracing, overload)");
  }
}
