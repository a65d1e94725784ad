package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.plugins.TestPlugins;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An exchange belongs to its event loop (and to a blocking plugin's virtual thread while it
 * runs): a plugin that changes it from the thread completing an awaited stage is refused, and
 * the request fails as PLUGIN_ERROR instead of racing the connection.
 */
@ExtendWith(NoLeaksExtension.class)
class ExchangeThreadsTest {

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: foreign-header, match: { path: /foreign/header }, upstream: backend,
              plugins: [ { test_foreign: { change: header } } ] }
          - { id: foreign-attribute, match: { path: /foreign/attribute }, upstream: backend,
              plugins: [ { test_foreign: { change: attribute } } ] }
          - { id: blocking, match: { path: /blocking }, upstream: backend,
              plugins: [ { test_blocking: { sleep: 5ms } } ] }
          - { id: resume, match: { path: /resume }, upstream: backend,
              plugins: [ { test_resume: {} }, { test_header: {} } ] }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void clear() {
    TestPlugins.FOREIGN_REFUSALS.clear();
  }

  @Test
  void aRequestHeaderChangedFromAStagesThreadIsRefusedAndNeverReachesTheUpstream() throws Exception {
    int before = upstream.requests().size();

    HttpResponse<String> response = gateway.send("GET", "/foreign/header");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("\"code\":\"PLUGIN_ERROR\"");
    assertThat(upstream.requests()).hasSize(before);
    assertThat(TestPlugins.FOREIGN_REFUSALS).singleElement().asString()
        .contains("request header 'x-foreign' changed on thread")
        .contains("which does not own the exchange")
        .contains("Decision.await(stage, (exchange, result) -> ...)");
    Poll.until("the exchange completed", () -> gateway.server().activeExchanges() == 0);
  }

  @Test
  void anAttributePutFromAStagesThreadIsRefused() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/foreign/attribute");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(TestPlugins.FOREIGN_REFUSALS).singleElement().asString().contains("attribute 'tenant' changed on thread");
  }

  @Test
  void aBlockingPluginChangesTheExchangeFromItsVirtualThread() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/blocking");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-virtual-thread")).isEqualTo("true");
    assertThat(upstream.lastRequest().headers().get("x-chain")).isEqualTo("blocking");
  }

  @Test
  void theResumeStepOfAnAwaitChangesTheExchangeOnItsEventLoop() throws Exception {
    HttpResponse<String> response = gateway.send("GET", "/resume");

    assertThat(response.statusCode()).isEqualTo(200);
    HttpHeaders seen = upstream.lastRequest().headers();
    assertThat(seen.get("x-stage-thread")).startsWith("ForkJoinPool");
    assertThat(seen.get("x-resume-thread")).as("an event loop of the gateway").startsWith("sluice-io");
    assertThat(seen.get("x-tenant-seen")).as("the attribute put in the resume step, read by a later plugin").isEqualTo("resumed");
    assertThat(TestPlugins.FOREIGN_REFUSALS).isEmpty();
  }
}
