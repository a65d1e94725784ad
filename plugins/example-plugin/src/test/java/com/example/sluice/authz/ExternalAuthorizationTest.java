package com.example.sluice.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sluice.plugintest.SluiceGateway;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code example_external_authz} in a real gateway, asking a real authorization service over HTTP. */
class ExternalAuthorizationTest {

  private static final AtomicInteger CHECKS = new AtomicInteger();
  private static final HttpServer SERVICE = service();

  @RegisterExtension
  static final SluiceGateway gateway = SluiceGateway.withRoutes("""
      - id: orders
        match: { path: /orders/** }
        upstream: backend
        plugins:
          - example_external_authz: { url: "http://127.0.0.1:%d/check", service_timeout: 2s }
      - id: down
        match: { path: /down/** }
        upstream: backend
        plugins:
          - example_external_authz: { url: "http://127.0.0.1:1/check", service_timeout: 2s }
      """.formatted(SERVICE.getAddress().getPort()));

  /** Lets {@code Bearer good} through as alice; refuses every other token. */
  private static HttpServer service() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/check", exchange -> {
        CHECKS.incrementAndGet();
        boolean good = "Bearer good".equals(exchange.getRequestHeaders().getFirst("Authorization"));
        if (good) {
          exchange.getResponseHeaders().add("x-subject", "alice");
        }
        exchange.sendResponseHeaders(good ? 200 : 403, -1);
        exchange.close();
      });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stopService() {
    SERVICE.stop(0);
  }

  @Test
  void anAllowedTokenReachesTheUpstreamWithTheSubjectTheServiceNamed() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/orders/1", "Authorization", "Bearer good");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(gateway.upstream().lastRequest().headers().get("x-authenticated-user")).isEqualTo("alice");
  }

  @Test
  void aRefusedTokenGets403AndNeverReachesTheUpstream() throws Exception {
    int checks = CHECKS.get();
    long before = gateway.upstream().requestsFor("/orders/2");

    HttpResponse<String> response = gateway.send("GET", "/orders/2", "Authorization", "Bearer bad");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"code\":\"FORBIDDEN\"");
    assertThat(CHECKS.get()).isEqualTo(checks + 1);
    assertThat(gateway.upstream().requestsFor("/orders/2")).isEqualTo(before);
  }

  @Test
  void aServiceThatCannotBeReachedFailsClosedWith403NotAPluginError() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/down/1", "Authorization", "Bearer good");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"code\":\"FORBIDDEN\"").doesNotContain("PLUGIN_ERROR");
  }
}
