package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.AdminConfig;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.server.ConfigReloads;
import io.sluice.testing.Gateway;
import io.sluice.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminListenerTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-admin-token-0123456789";

  private static String config(String body, int upstreamPort) {
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:%d" ] }
        routes:
          - { id: version, match: { path: /version }, respond: { status: 200, body: "%s" } }
          - id: api
            match: { path: /api/** }
            upstream: backend
            plugins: [ { test_counter: { label: a } } ]
        """.formatted(upstreamPort, body);
  }

  private record Admin(int port, String token) {
    HttpResponse<String> call(String method, String path, String body) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String method, String path, String body) throws Exception {
      return JSON.readTree(call(method, path, body).body());
    }
  }

  @Test
  void everyEndpointAnswersAboutTheRunningGatewayAndTheDataListenerServesNone(@TempDir Path dir) throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", upstream.port()), Map.of())) {
      Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", upstream.port()));
      try (ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog());
          AdminServer server = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), reloads)) {
        Admin admin = new Admin(server.port(), null);
        gateway.send("GET", "/api/x");

        assertThat(admin.call("GET", "/health", null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = admin.call("GET", "/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).get("memory_pressure").asText()).isEqualTo("normal");
        assertThat(JSON.readTree(ready.body()).get("listeners").get(0).asText()).startsWith("test http://127.0.0.1:");

        JsonNode routes = admin.json("GET", "/admin/routes", null);
        assertThat(routes.get("routes").get(0).get("id").asText()).isEqualTo("version");
        assertThat(routes.get("routes").get(1).get("plugins").get(0).get("name").asText()).isEqualTo("test_counter");
        assertThat(routes.get("text").asText()).contains("2 routes from test.yaml", "test_counter");

        JsonNode upstreams = admin.json("GET", "/admin/upstreams", null);
        assertThat(upstreams.at("/upstreams/backend/endpoints/0/healthy").asBoolean()).isTrue();
        assertThat(upstreams.at("/upstreams/backend/pending_requests").asInt()).isZero();
        assertThat(upstreams.at("/upstreams/backend/max_pending_requests").asInt()).isEqualTo(1024);
        assertThat(upstreams.at("/upstreams/backend/endpoints/0/endpoint").asText()).contains(String.valueOf(upstream.port()));
        // the request to /api/x above left one keep-alive connection in a pool, serving nothing now
        assertThat(upstreams.at("/upstreams/backend/endpoints/0/pool/connections_opened").asLong()).isEqualTo(1);
        assertThat(upstreams.at("/upstreams/backend/endpoints/0/pool/open_connections").asInt()).isEqualTo(1);
        assertThat(upstreams.at("/upstreams/backend/endpoints/0/pool/in_flight").asInt()).isZero();

        JsonNode running = admin.json("GET", "/admin/config", null);
        assertThat(running.get("file").asText()).isEqualTo(file.toString());
        assertThat(running.get("version").asText()).hasSize(16);
        assertThat(running.get("last_reload").isNull()).isTrue();

        JsonNode explained = admin.json("POST", "/admin/explain",
            "{\"method\": \"GET\", \"url\": \"http://example.com/api/users\"}");
        assertThat(explained.get("explanation").asText()).contains("api", "forwarded to upstream 'backend'");
        assertThat(admin.call("POST", "/admin/explain", "not json").statusCode()).isEqualTo(400);

        Files.writeString(file, config("v1", upstream.port()).replace("status: 200", "status: 2000"));
        HttpResponse<String> failed = admin.call("POST", "/admin/config/reload", null);
        assertThat(failed.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(failed.body()).get("problems").get(0).asText()).matches(file + ":\\d+:\\d+ .*status.*");
        assertThat(admin.json("GET", "/admin/config", null).at("/last_reload/result").asText()).isEqualTo("failure");
        assertThat(gateway.send("GET", "/version").body()).isEqualTo("v0");

        Files.writeString(file, config("v1", upstream.port()));
        assertThat(admin.call("POST", "/admin/config/reload", null).statusCode()).isEqualTo(200);
        assertThat(gateway.send("GET", "/version").body()).isEqualTo("v1");
        assertThat(admin.call("GET", "/admin/config/reload", null).statusCode()).isEqualTo(405);

        String metrics = admin.call("GET", "/metrics", null).body();
        assertThat(metrics).contains("sluice_config_reloads_total{result=\"failure\"} 1.0",
            "sluice_config_reloads_total{result=\"success\"} 1.0", "sluice_plugin_request_seconds_count{plugin=\"test_counter\",route=\"api\"} 1");

        for (String path : new String[] {"/health", "/ready", "/metrics", "/admin/config", "/admin/routes"}) {
          assertThat(gateway.send("GET", path).statusCode()).as(path).isEqualTo(404);
        }
      }
    }
  }

  @Test
  void anInstanceRefusingForLackOfMemoryIsNotReady() throws Exception {
    String yaml = config("v0", 1).replace("server:\n", "server:\n  overload: { heap: { stop_keep_alive: 0.001%, refuse: 0.001% } }\n");
    try (Gateway gateway = Gateway.start(yaml, Map.of());
        AdminServer server = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      Admin admin = new Admin(server.port(), null);
      io.sluice.testing.Poll.until("the sampler sees the heap", () -> gateway.server().memoryPressure().equals("refuse"));

      HttpResponse<String> ready = admin.call("GET", "/ready", null);

      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(ready.body()).get("memory_pressure").asText()).isEqualTo("refuse");
      assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isFalse();
      assertThat(admin.call("GET", "/health", null).statusCode()).isEqualTo(200); // alive, just not taking requests
    }
  }

  @Test
  void withATokenEveryRequestWithoutItIsRefused(@TempDir Path dir) throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(config("v0", upstream.port()), Map.of());
        AdminServer server = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0, TOKEN), gateway.server(), null)) {
      HttpResponse<String> refused = new Admin(server.port(), null).call("GET", "/admin/routes", null);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("www-authenticate")).contains("Bearer realm=\"sluice-admin\"");
      assertThat(new Admin(server.port(), "wrong-token-0123456789").call("GET", "/health", null).statusCode()).isEqualTo(401);
      assertThat(new Admin(server.port(), TOKEN).call("GET", "/admin/routes", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theAdminListenerRefusesAPublicAddressWithoutAToken() {
    String yaml = """
        server:
          listeners: [ { name: test, port: 0 } ]
          admin: { enabled: true, bind: 0.0.0.0, port: 0 }
        routes: []
        """;
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, "sluice.yaml", new HashMap<String, String>()::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.yaml:3:33 server.admin.bind: the admin listener may bind to 0.0.0.0, which is not a loopback "
            + "address, only with a token");
    assertThatThrownBy(() -> AdminServer.start(new AdminConfig(true, "0.0.0.0", 0), null, null))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPublicAddressWithATokenIsAccepted() throws Exception {
    var config = ConfigLoader.parse("""
        server:
          listeners: [ { name: test, port: 0 } ]
          admin: { enabled: true, bind: 0.0.0.0, port: 0, token: "%s" }
        routes: []
        """.formatted(TOKEN), "sluice.yaml", new HashMap<String, String>()::get);
    assertThat(config.server().admin().token()).isEqualTo(TOKEN);
    assertThat(config.server().admin().toString()).doesNotContain(TOKEN);
  }
}
