package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import io.sluice.testing.grpc.EchoService;
import io.sluice.testing.grpc.GrpcResult;
import io.sluice.testing.grpc.GrpcTestClient;
import io.sluice.testing.plugins.TestPlugins;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plugin has its {@code timeout} to decide, awaited stages and blocking calls included; a
 * blocking plugin runs at most {@code max_concurrent} calls at once. What comes too late is
 * ignored, and nothing waits in a queue.
 */
@ExtendWith(NoLeaksExtension.class)
class PluginTimeoutTest {

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
        plugins:
          - test_observe: {}
        routes:
          - { id: slow-async, match: { path: /slow/async }, upstream: backend,
              plugins: [ { test_async: { delay: 5s, timeout: 100ms } } ] }
          - { id: late-async, match: { path: /late/async }, upstream: backend,
              plugins: [ { test_async: { delay: 300ms, timeout: 50ms } } ] }
          - { id: late-resume, match: { path: /late/resume }, upstream: backend,
              plugins: [ { test_resume: { delay: 300ms, timeout: 50ms } } ] }
          - { id: two-stages-late, match: { path: /two-stages/late }, upstream: backend,
              plugins: [ { test_resume: { delay: 150ms, twice: true, timeout: 220ms } } ] }
          - { id: two-stages, match: { path: /two-stages/in-time }, upstream: backend,
              plugins: [ { test_resume: { delay: 20ms, twice: true, timeout: 5s } } ] }
          - { id: slow-blocking, match: { path: /slow/blocking }, upstream: backend,
              plugins: [ { test_blocking: { sleep: 10s, timeout: 100ms } } ] }
          - { id: held, match: { path: /held }, upstream: backend,
              plugins: [ { test_hold: { max_concurrent: 1 } } ] }
          - { id: grpc, match: { path: "/test.Echo/*" }, upstream: backend,
              plugins: [ { test_async: { delay: 5s, timeout: 100ms } } ] }
          - { id: ok, match: { path: /ok }, upstream: backend }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    TestPlugins.RELEASE_HELD.release(100);
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void clear() throws InterruptedException {
    Poll.until("no exchange left from the test before", () -> gateway.server().activeExchanges() == 0);
    TestPlugins.COMPLETED.clear();
  }

  @Test
  void aStageThatDoesNotCompleteInTimeIs504PluginTimeout() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = gateway.send("GET", "/slow/async");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("{\"error\":{\"code\":\"PLUGIN_TIMEOUT\",\"message\":\"The request could not be processed in time\"}");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(gateway.accessLog()).contains(" 504 slow-async - PLUGIN_TIMEOUT plugin \"plugin=test_async timed out after 100ms\"");
  }

  @Test
  void aStageThatCompletesAfterTheTimeoutIsIgnored() throws Exception {
    int completedBefore = TestPlugins.ASYNC_STAGES_COMPLETED.get();
    try (Socket socket = gateway.raw().open()) {
      assertThat(PluginAnswersTest.exchange(socket, "GET /late/async HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 504 ");
      Poll.until("the late stage completed", () -> TestPlugins.ASYNC_STAGES_COMPLETED.get() > completedBefore);

      assertThat(PluginAnswersTest.exchange(socket, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    }
    Poll.until("both exchanges complete", () -> gateway.server().activeExchanges() == 0);
    assertThat(TestPlugins.COMPLETED).containsExactlyInAnyOrder("late-async 504 PLUGIN_TIMEOUT", "ok 200 -");
  }

  @Test
  void theResumeStepOfAStageThatCompletesTooLateNeverRuns() throws Exception {
    int resumedBefore = TestPlugins.RESUMED.get();
    int completedBefore = TestPlugins.RESUME_STAGES_COMPLETED.get();

    assertThat(gateway.send("GET", "/late/resume").statusCode()).isEqualTo(504);
    Poll.until("the late stage completed", () -> TestPlugins.RESUME_STAGES_COMPLETED.get() > completedBefore);
    // a resume step would run on the event loop right after: one more exchange on the same loop proves it had its turn
    assertThat(gateway.send("GET", "/ok").statusCode()).isEqualTo(200);

    assertThat(TestPlugins.RESUMED.get()).isEqualTo(resumedBefore);
  }

  @Test
  void theTimeoutBoundsEveryStageAPluginAwaitsTogether() throws Exception {
    HttpResponse<String> late = gateway.send("GET", "/two-stages/late"); // 2 x 150ms against 220ms
    HttpResponse<String> inTime = gateway.send("GET", "/two-stages/in-time");

    assertThat(late.statusCode()).isEqualTo(504);
    assertThat(inTime.statusCode()).isEqualTo(200);
    assertThat(upstream.lastRequest().headers().get("x-stage-thread")).contains(",");
  }

  @Test
  void aBlockingCallThatTakesTooLongIsInterruptedAndItsLateChangesAreRefused() throws Exception {
    int interruptedBefore = TestPlugins.BLOCKING_INTERRUPTED.get();
    int refusedBefore = TestPlugins.LATE_CHANGES_REFUSED.get();
    long start = System.nanoTime();

    HttpResponse<String> response = gateway.send("GET", "/slow/blocking");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("\"code\":\"PLUGIN_TIMEOUT\"");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    Poll.until("the call was interrupted", () -> TestPlugins.BLOCKING_INTERRUPTED.get() > interruptedBefore);
    Poll.until("its change after the timeout was refused", () -> TestPlugins.LATE_CHANGES_REFUSED.get() > refusedBefore);
    Poll.until("the exchange completed", () -> gateway.server().activeExchanges() == 0);
    assertThat(TestPlugins.COMPLETED).containsExactly("slow-blocking 504 PLUGIN_TIMEOUT");
  }

  @Test
  void aBlockingPluginAtItsMaxConcurrentCallsAnswers503AtOnceInsteadOfQueueing() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> first = client.sendAsync(HttpRequest.newBuilder(gateway.uri("/held")).build(),
        HttpResponse.BodyHandlers.ofString());
    Poll.until("the first call is held", () -> TestPlugins.HELD.get() == 1);

    HttpResponse<String> second = client.sendAsync(HttpRequest.newBuilder(gateway.uri("/held")).build(),
        HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS); // answered at once, not held

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("retry-after")).hasValue("1");
    assertThat(second.body()).contains("{\"error\":{\"code\":\"PLUGIN_OVERLOADED\",\"message\":\"The gateway is busy; retry later\"}");
    assertThat(first).isNotDone();

    TestPlugins.RELEASE_HELD.release();
    assertThat(first.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    Poll.until("the permit is back", () -> TestPlugins.HELD.get() == 0);
    CompletableFuture<HttpResponse<String>> third = client.sendAsync(HttpRequest.newBuilder(gateway.uri("/held")).build(),
        HttpResponse.BodyHandlers.ofString());
    Poll.until("the third call is held", () -> TestPlugins.HELD.get() == 1);
    TestPlugins.RELEASE_HELD.release();
    assertThat(third.get(5, TimeUnit.SECONDS).statusCode()).as("the permit was given back").isEqualTo(200);
    assertThat(gateway.accessLog()).contains(" 503 held - PLUGIN_OVERLOADED gateway \"plugin=test_hold at max_concurrent\"");
  }

  @Test
  void aGrpcCallerGetsDeadlineExceeded() throws Exception {
    try (GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", gateway.port())) {
      GrpcResult result = client.withDeadline(Duration.ofSeconds(4)).call(EchoService.UNARY, List.of(new byte[] {1}));

      assertThat(result.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(result.status().getDescription()).isEqualTo("The request could not be processed in time");
    }
  }
}
