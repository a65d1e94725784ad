package io.sluice.config;

import static io.sluice.config.YamlSnippets.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Mistakes in the file's structure and in the server and upstream sections, with the exact messages operators see. */
class ConfigProblemsTest {

  @Test
  void syntaxErrorIsOneProblemAtTheParsersPosition() {
    assertThat(problems("""
        server:
          listeners: [{ name: public, port: 8080 }
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:1 invalid YAML: while parsing a flow sequence, expected ',' or ']', but got <scalar>");
  }

  @Test
  void moreThanOneDocumentIsASyntaxError() {
    assertThat(problems("routes: []\n---\nroutes: []\n")).containsExactly(
        "sluice.yaml:2:1 invalid YAML: expected a single document in the stream, but found another document");
  }

  @Test
  void emptyFileIsAnError() {
    String expected = "sluice.yaml:1:1 the file is empty (expected: a mapping with the keys server and routes)";
    assertThat(problems("")).containsExactly(expected);
    assertThat(problems("# nothing here yet\n")).containsExactly(expected);
  }

  @Test
  void documentMustBeAMapping() {
    assertThat(problems("- server\n- routes\n")).containsExactly("sluice.yaml:1:1 expected a mapping, found a list");
  }

  @Test
  void serverAndRoutesAreRequired() {
    assertThat(problems("upstreams: {}\n")).containsExactly(
        "sluice.yaml:1:1 missing required key 'server'",
        "sluice.yaml:1:1 missing required key 'routes'");
  }

  @Test
  void unknownTopLevelKeyListsTheKnownOnesOrSuggestsTheClosest() {
    assertThat(problems("""
        server:
          listeners: [{ name: public, port: 8080 }]
        cache: {}
        upstream: {}
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:1 unknown key 'cache' (expected one of: server, logging, redis, upstreams, plugin_dirs, plugins, routes)",
            "sluice.yaml:4:1 unknown key 'upstream' (did you mean 'upstreams'?)");
  }

  @Test
  void misspeltKeysGetADidYouMean() {
    assertThat(problems("""
        server:
          listener: [{ name: public, port: 8080 }]
          limits: { max-body-bytes: 1MiB, keepalive_timeout: 5s, body: 1 }
        routes: []
        """)).containsExactly(
            "sluice.yaml:2:3 server: unknown key 'listener' (did you mean 'listeners'?)",
            "sluice.yaml:2:3 server: missing required key 'listeners'",
            "sluice.yaml:3:13 server.limits: unknown key 'max-body-bytes' (did you mean 'max_body_bytes'?)",
            "sluice.yaml:3:35 server.limits: unknown key 'keepalive_timeout' (did you mean 'keep_alive_timeout'?)",
            "sluice.yaml:3:58 server.limits: unknown key 'body' (expected one of: max_request_line_bytes, max_header_bytes,"
                + " max_header_count, max_header_field_bytes, max_chunk_line_bytes, max_body_bytes, request_header_timeout,"
                + " request_body_timeout, min_request_body_rate, keep_alive_timeout, write_timeout)");
  }

  @Test
  void duplicateKeysAreErrorsAtTheSecondOccurrence() {
    assertThat(problems("""
        server:
          listeners: [{ name: public, port: 8080, port: 8081 }]
        routes: []
        routes: []
        """)).containsExactly(
            "sluice.yaml:2:43 server.listeners[0]: duplicate key 'port' (first at line 2)",
            "sluice.yaml:4:1 duplicate key 'routes' (first at line 3)");
  }

  @Test
  void wrongNodeTypesNameWhatWasExpectedAndWhatWasFound() {
    assertThat(problems("""
        server:
          listeners: { name: public, port: 8080 }
          limits: 16KiB
          access_log: [true]
        routes: {}
        """)).containsExactly(
            "sluice.yaml:2:14 server.listeners: expected a list, found a mapping",
            "sluice.yaml:3:11 server.limits: expected a mapping, found '16KiB'",
            "sluice.yaml:4:15 server.access_log: expected true, false or a mapping with format and path, found a list",
            "sluice.yaml:5:9 routes: expected a list, found a mapping");
  }

  @Test
  void aKeyWithoutValueIsReportedAsNothing() {
    assertThat(problems("""
        server:
          listeners:
            - name: public
              port:
        routes:
        """)).containsExactly("sluice.yaml:4:12 server.listeners[0].port: expected a port 0..65535, found nothing");
  }

  @Test
  void listenersNeedAUniqueNameAPortAndSupportedProtocols() {
    assertThat(problems("""
        server:
          listeners:
            - { name: public, port: 70000, protocols: [h2] }
            - { name: public, port: 8081, protocols: [http1, http3] }
            - { name: "two words", port: 8082, protocols: [] }
            - { bind: "not a host!" }
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:29 server.listeners[0].port: '70000' (expected: a port 0..65535)",
            "sluice.yaml:3:48 server.listeners[0].protocols[0]: 'h2' needs a tls: block on this listener (for HTTP/2 without TLS use h2c)",
            "sluice.yaml:4:15 server.listeners[1].name: duplicate listener name 'public' (first at line 3)",
            "sluice.yaml:4:54 server.listeners[1].protocols[1]: 'http3' (expected: http1, h2c or h2)",
            "sluice.yaml:5:15 server.listeners[2].name: 'two words' (expected: a listener name of letters, digits, '_', '.' and '-')",
            "sluice.yaml:5:51 server.listeners[2].protocols: expected at least one protocol, such as http1, h2c or h2",
            "sluice.yaml:6:7 server.listeners[3]: missing required key 'name'",
            "sluice.yaml:6:7 server.listeners[3]: missing required key 'port'",
            "sluice.yaml:6:15 server.listeners[3].bind: 'not a host!' (expected: an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name)");
  }

  @Test
  void twoListenersOnOneAddressAndPortAreAnErrorButPortZeroIsNot() {
    assertThat(problems("""
        server:
          listeners:
            - { name: a, port: 8080 }
            - { name: b, port: 8080, bind: 127.0.0.1 }
            - { name: c, port: 8080 }
            - { name: d, port: 0 }
            - { name: e, port: 0 }
          admin: { enabled: true, bind: 127.0.0.1, port: 8080 }
        routes: []
        """)).containsExactly(
            "sluice.yaml:5:24 server.listeners[2].port: port 8080 on 0.0.0.0 is already used by listener 'a'",
            "sluice.yaml:8:50 server.admin.port: port 8080 on 127.0.0.1 is already used by listener 'b'");
  }

  @Test
  void aDisabledAdminListenerMayShareAPort() throws Exception {
    GatewayConfig config = YamlSnippets.valid("""
        server:
          listeners: [{ name: a, bind: 127.0.0.1, port: 9901 }]
          admin: { bind: 127.0.0.1 }
        routes: []
        """);

    assertThat(config.server().admin()).isEqualTo(new AdminConfig(false, "127.0.0.1", 9901));
  }

  @Test
  void serverSettingsNameTheBadValueAndTheAcceptedForm() {
    assertThat(problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
          trusted_proxies: [10.0.0.0/33, example.com]
          limits:
            max_header_bytes: 16kb
            max_header_count: 0
            request_header_timeout: 0s
            max_request_line_bytes: 4GiB
          event_loops: -1
          transport: iouring
          drain_timeout: 30
          access_log: yes
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:21 server.trusted_proxies[0]: '10.0.0.0/33' has an invalid prefix length (expected 0..32)",
            "sluice.yaml:3:34 server.trusted_proxies[1]: 'example.com' is not an IP address or CIDR (expected e.g. 10.0.0.0/8 or ::1/128)",
            "sluice.yaml:5:23 server.limits.max_header_bytes: '16kb' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
            "sluice.yaml:6:23 server.limits.max_header_count: '0' (expected: a number of header fields, at least 1)",
            "sluice.yaml:7:29 server.limits.request_header_timeout: '0s' (expected: a duration greater than 0, such as 10s)",
            "sluice.yaml:8:29 server.limits.max_request_line_bytes: '4GiB' (expected: a size of at most 2147483647 bytes)",
            "sluice.yaml:9:16 server.event_loops: '-1' (expected: 0 for one per core, or a number of event loops up to 1024)",
            "sluice.yaml:10:14 server.transport: unknown transport 'iouring' (did you mean 'io_uring'?)",
            "sluice.yaml:11:18 server.drain_timeout: '30' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
            "sluice.yaml:12:15 server.access_log: 'yes' (expected: true or false)");
  }

  @Test
  void http2AbuseLimitsMustAllowAtLeastOneReset() {
    assertThat(problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
          http2: { max_resets: 0, max_server_resets: 0, max_server_reset: 5 }
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:24 server.http2.max_resets: '0' (expected: a number of RST_STREAM frames, at least 1)",
            "sluice.yaml:3:46 server.http2.max_server_resets: '0' (expected: a number of RST_STREAM frames, at least 1)",
            "sluice.yaml:3:49 server.http2: unknown key 'max_server_reset' (did you mean 'max_server_resets'?)");
  }

  @Test
  void reloadSettingsAreChecked() {
    assertThat(problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
          reload: { watch: yes please, debounce: 0s, wach: true }
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:20 server.reload.watch: 'yes please' (expected: true or false)",
            "sluice.yaml:3:42 server.reload.debounce: '0s' (expected: a duration greater than 0, such as 10s)",
            "sluice.yaml:3:46 server.reload: unknown key 'wach' (did you mean 'watch'?)");
  }

  @Test
  void headerRuleMistakesSayWhatIsAllowed() {
    assertThat(problems("""
        server:
          listeners: [{ name: a, port: 8080, headers_with_underscores: alow }]
          limits: { max_request_line_bytes: 8KiB, max_chunk_line_bytes: 1KiB, max_header_field_bytes: 0 }
          strip_request_headers: [X-User-Id, "x user", Host, x-request-id, x-user-id]
        routes: []
        """)).containsExactly(
            "sluice.yaml:2:64 server.listeners[0].headers_with_underscores: unknown setting 'alow' (did you mean 'allow'?)",
            "sluice.yaml:3:65 server.limits.max_chunk_line_bytes: '1KiB' (expected: at least max_request_line_bytes, 8192 bytes:"
                + " request lines and chunk lines are read by one line reader, so a lower limit cannot apply)",
            "sluice.yaml:3:95 server.limits.max_header_field_bytes: '0' (expected: a size of at least 1 byte)",
            "sluice.yaml:4:38 server.strip_request_headers[1]: 'x user' (expected: a header name of letters, digits and"
                + " !#$%&'*+-.^_`|~)",
            "sluice.yaml:4:48 server.strip_request_headers[2]: header 'host' cannot be stripped (the gateway handles connection"
                + " and framing headers itself)",
            "sluice.yaml:4:54 server.strip_request_headers[3]: header 'x-request-id' cannot be stripped (the gateway sets the"
                + " request id itself; it takes a client's only from trusted_proxies)",
            "sluice.yaml:4:68 server.strip_request_headers[4]: duplicate header 'x-user-id' (first at line 4)");
  }

  @Test
  void upstreamMistakes() {
    assertThat(problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
        upstreams:
          users:
            endpoints: ["ftp://users.internal", "http://10.0.0.1:9001", "http://10.0.0.1:9001/"]
            load_balancer: random
            timeouts: { connect: 0s, idle: forever }
            max_connections_per_endpoint: 0
          "no spaces": { endpoints: [] }
          orders: {}
        routes: []
        """)).containsExactly(
            "sluice.yaml:5:17 upstreams.users.endpoints[0]: 'ftp://users.internal' has the scheme 'ftp' (expected: http or https)",
            "sluice.yaml:5:65 upstreams.users.endpoints[2]: duplicate endpoint 'http://10.0.0.1:9001' (first at line 5)",
            "sluice.yaml:6:20 upstreams.users.load_balancer: unknown load balancer 'random' (expected one of: round_robin, least_request, ring_hash)",
            "sluice.yaml:7:26 upstreams.users.timeouts.connect: '0s' (expected: a duration greater than 0, such as 10s)",
            "sluice.yaml:7:36 upstreams.users.timeouts.idle: 'forever' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
            "sluice.yaml:8:35 upstreams.users.max_connections_per_endpoint: '0' (expected: a number of connections, at least 1)",
            "sluice.yaml:9:3 upstreams: 'no spaces' (expected: an upstream name of letters, digits, '_', '.' and '-')",
            "sluice.yaml:9:29 upstreams.no spaces.endpoints: expected at least one endpoint, such as http://127.0.0.1:9001",
            "sluice.yaml:10:11 upstreams.orders: missing required key 'endpoints'");
  }

  @Test
  void allMistakesAreReportedInDocumentOrderAcrossSections() {
    // upstreams are read before routes (routes refer to them), yet the report follows the file
    List<String> problems = problems("""
        routes:
          - { id: a, match: { path: /a }, upstream: nowhere }
        server:
          listeners: [{ name: a, port: x }]
        upstreams:
          users: { endpoints: [ftp://users] }
        """);

    assertThat(problems).containsExactly(
        "sluice.yaml:2:45 routes[0].upstream: unknown upstream 'nowhere' (expected: users)",
        "sluice.yaml:4:32 server.listeners[0].port: 'x' (expected: a port 0..65535)",
        "sluice.yaml:6:24 upstreams.users.endpoints[0]: 'ftp://users' has the scheme 'ftp' (expected: http or https)");
  }

  @Test
  void theExceptionMessageListsEveryProblem() {
    ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("server: {}\nroutes: []\n", "conf/sluice.yaml", YamlSnippets.NO_ENV));

    assertThat(e.getMessage()).isEqualTo(
        "1 problem" + System.lineSeparator() + "  conf/sluice.yaml:1:9 server: missing required key 'listeners'");
  }

  @Test
  void didYouMeanSuggestsOnlyCloseNames() {
    List<String> keys = List.of("upstream", "respond", "rewrite", "timeout");

    assertThat(DidYouMean.hint("uptream", keys)).isEqualTo("did you mean 'upstream'?");
    assertThat(DidYouMean.hint("Time-Out", keys)).isEqualTo("did you mean 'timeout'?");
    assertThat(DidYouMean.hint("plugins", keys)).isEqualTo("expected one of: upstream, respond, rewrite, timeout");
    assertThat(DidYouMean.hint("ab", List.of("id"))).isEqualTo("expected: id");
    assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
  }
}
