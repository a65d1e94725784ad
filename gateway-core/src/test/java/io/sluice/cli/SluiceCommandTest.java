package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceCommandTest {

  static final String CONFIG = """
      server:
        listeners: [ { name: public, port: 8080 } ]
      upstreams:
        users: { endpoints: [ "http://127.0.0.1:9001" ] }
      routes:
        - id: everything
          match: { path: /** }
          upstream: users
        - id: user
          match: { path: "/api/users/{id}", methods: [GET] }
          upstream: users
          rewrite: { path: "/users/{id}" }
        - id: health
          match: { path: /healthz }
          respond: { status: 200, body: ok }
      """;

  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    return new Sluice(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void validateSaysOkForAGoodFile() throws Exception {
    Path file = write("good.yaml", CONFIG);
    assertThat(run("validate", file.toString())).isZero();
    assertThat(out()).isEqualTo(file + ": OK\n");
  }

  @Test
  void validatePrintsEveryProblemWithItsPositionAndFails() throws Exception {
    Path good = write("good.yaml", CONFIG);
    Path bad = write("bad.yaml", CONFIG.replaceFirst("upstream: users", "uptream: users")
        .replace("port: 8080", "port: 99999"));

    assertThat(run("validate", good.toString(), bad.toString())).isEqualTo(1);

    assertThat(out()).contains(good + ": OK");
    assertThat(err()).contains(bad + ":2:").contains("99999");
    assertThat(err()).contains("did you mean 'upstream'?");
    assertThat(err()).contains(bad + ": 3 problems");
  }

  @Test
  void validateNamesAMissingFile() {
    assertThat(run("validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(err()).contains("nope.yaml: no such file");
  }

  @Test
  void routesListsRoutesInTheOrderTheyAreTried() throws Exception {
    Path file = write("routes.yaml", CONFIG);
    assertThat(run("routes", file.toString())).isZero();
    java.util.List<String> order = out().lines().filter(l -> l.matches("\\s*\\d+\\. .*"))
        .map(l -> l.trim().split(" ")[1]).toList();
    assertThat(order).hasSize(3).endsWith("everything").contains("health", "user");
    String listing = out();
    assertThat(listing).contains("forward to upstream 'users', rewrite path to /users/{id}");
    assertThat(listing).contains("respond 200");
  }

  @Test
  void explainShowsTheWinnerTheRewriteAndTheShadowedRoutes() throws Exception {
    Path file = write("explain.yaml", CONFIG);
    assertThat(run("explain", file.toString(), "GET", "http://api.test/api/users/42?x=1")).isZero();
    String text = out();
    assertThat(text).contains("route user");
    assertThat(text).contains("everything");
    assertThat(text).contains("forwarded to upstream 'users' [http://127.0.0.1:9001] as GET /users/42?x=1");
  }

  @Test
  void explainShowsNormalizationAndRejections() throws Exception {
    Path file = write("explain.yaml", CONFIG);
    assertThat(run("explain", file.toString(), "GET", "/api/users/../../healthz")).isZero();
    assertThat(out()).contains("normalized to /healthz").contains("answered by the gateway: respond 200");

    out.reset();
    assertThat(run("explain", file.toString(), "GET", "/a%2Fb")).isZero();
    assertThat(out()).contains("rejected with 400");
  }

  static final String EDGE_CONFIG = """
      server:
        listeners: [ { name: public, port: 8080 } ]
      upstreams:
        app: { endpoints: [ "http://127.0.0.1:9001" ] }
      routes:
        - id: public
          match: { path: /** }
          upstream: app
          matrix_parameters: forward
        - id: admin
          match: { host: admin.example.com, path: /** }
          respond: { status: 200, body: admin }
        - id: private
          match: { path: /private/** }
          upstream: app
      """;

  @Test
  void explainNormalizesTheHostLikeTheLivePath() throws Exception {
    Path file = write("edge.yaml", EDGE_CONFIG);

    assertThat(run("explain", file.toString(), "GET", "http://Admin.Example.COM.:8443/x")).isZero();
    assertThat(out()).contains("GET admin.example.com /x").contains("result: route admin");

    out.reset();
    assertThat(run("explain", file.toString(), "GET", "/x", "-H", "Host: admin.example.com.")).isZero();
    assertThat(out()).contains("result: route admin");

    out.reset();
    assertThat(run("explain", file.toString(), "GET", "/x", "-H", "Host: admin..example.com")).isZero();
    assertThat(out()).contains("rejected with 400 BAD_REQUEST before routing: Malformed Host 'admin..example.com'");
  }

  @Test
  void explainShowsWhatHappensToMatrixParameters() throws Exception {
    Path file = write("edge.yaml", EDGE_CONFIG);

    assertThat(run("explain", file.toString(), "GET", "/app;jsessionid=1/page;v=2?q=1")).isZero();
    assertThat(out()).contains("matrix parameters are set aside: routes and plugins see /app/page")
        .contains("result: route public")
        .contains("as GET /app;jsessionid=1/page;v=2?q=1");

    out.reset();
    assertThat(run("routes", file.toString())).isZero();
    assertThat(out()).contains("match:  any host, path /**, any method, matrix parameters forward");

    out.reset();
    assertThat(run("explain", file.toString(), "GET", "/private;x/secret")).isZero();
    assertThat(out()).contains("result: 400 matrix parameters refused by route private").doesNotContain("forwarded");

    out.reset();
    assertThat(run("explain", file.toString(), "GET", "/app/..;/private/secret")).isZero();
    assertThat(out()).contains("rejected with 400 BAD_REQUEST before routing: The path has matrix parameters (';') on an empty");

    out.reset();
    assertThat(run("explain", file.toString(), "GET", "/private%3bx/secret")).isZero();
    assertThat(out()).contains("rejected with 400 BAD_REQUEST before routing: The path contains an encoded semicolon");
  }

  @Test
  void routesPrintsEachRoutesPluginChainInRunningOrder() throws Exception {
    Path file = write("plugins.yaml", CONFIG + """
        plugins:
          - test_header: { request: { x-a: "1" } }
          - test_deny: { enforce: false }
        """);
    assertThat(run("routes", file.toString())).as(err()).isZero();
    String listing = out();
    assertThat(listing).contains("plugins (in running order):");
    assertThat(listing.indexOf("- test_deny  [authorization, priority 0, shadow mode]"))
        .isPositive()
        .isLessThan(listing.indexOf("- test_header  [transform, priority 0]"));
  }

  @Test
  void validateReportsAPluginThatRefusesToStartAtItsEntry() throws Exception {
    Path file = write("create.yaml", CONFIG.replace("    match: { path: /healthz }",
        "    plugins:\n      - test_fail: { where: create }\n    match: { path: /healthz }"));
    assertThat(run("validate", file.toString())).isEqualTo(1);
    assertThat(err()).contains(file + ":15:9 routes[2].plugins[0]: plugin 'test_fail' (built-in) could not be created: "
        + "cannot start: the backing service is unreachable");
  }

  @Test
  void validateNamesBrokenPluginJars() throws Exception {
    Path plugins = java.nio.file.Files.createDirectories(dir.resolve("my-plugins"));
    java.nio.file.Files.writeString(plugins.resolve("broken.jar"), "not a jar");
    Path file = write("jars.yaml", "plugin_dirs: [ my-plugins ]\n" + CONFIG);
    assertThat(run("validate", file.toString())).isEqualTo(1);
    assertThat(err()).contains(plugins.resolve("broken.jar").toString() + ":");
  }

  @Test
  void runNamesTheListenerWhosePortIsTaken() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path file = write("taken.yaml", CONFIG.replace("{ name: public, port: 8080 }",
          "{ name: public, bind: 127.0.0.1, port: " + taken.getLocalPort() + " }"));

      assertThat(run("run", "--config", file.toString())).isEqualTo(1);

      assertThat(err()).startsWith("could not start: listener 'public' cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
          .contains("Address already in use");
    }
  }

  @Test
  void versionAndHelp() {
    assertThat(run("--version")).isZero();
    assertThat(out()).startsWith("sluice ");
    out.reset();
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("validate FILE...").contains("explain FILE METHOD URL");
  }

  @Test
  void unknownCommandsAreUsageErrors() {
    assertThat(run("serve")).isEqualTo(2);
    assertThat(err()).contains("unknown command 'serve'");
  }
}
