package com.example.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugintest.SluiceGateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plugin in a real gateway, in this JVM, in front of a real upstream: installed from the test
 * class path through its service file, configured from YAML like an operator would.
 */
class HeaderGuardGatewayTest {

  @RegisterExtension
  static final SluiceGateway gateway = SluiceGateway.withRoutes("""
      - id: users
        match: { path: /users/** }
        upstream: backend
        plugins:
          - example_header_guard: { required_header: x-tenant, allowed_values: [acme, globex], tag_value: edge-eu }
      """);

  @Test
  void anAcceptedRequestReachesTheUpstreamTaggedAndTheResponseCarriesTheTag() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/users/42", "x-tenant", "acme");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-example-tag")).hasValue("edge-eu");
    assertThat(gateway.upstream().lastRequest().headers().get("x-example-tag")).isEqualTo("edge-eu");
  }

  @Test
  void aRequestWithoutTheHeaderGets400AndNeverReachesTheUpstream() throws Exception {
    long before = gateway.upstream().requestsFor("/users/43");

    HttpResponse<String> response = gateway.send("GET", "/users/43");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"code\":\"BAD_REQUEST\"");
    assertThat(gateway.upstream().requestsFor("/users/43")).isEqualTo(before);
  }
}
