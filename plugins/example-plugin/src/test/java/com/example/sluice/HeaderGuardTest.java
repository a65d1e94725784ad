package com.example.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.plugintest.TestExchange;
import io.sluice.plugintest.TestPluginContext;
import io.sluice.plugintest.TestResponse;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The plugin's hooks on a {@link TestExchange}, without a gateway: what it decides, what it
 * changes on the request and response, what it publishes and what it counts.
 */
class HeaderGuardTest {

  private final HeaderGuardPluginFactory factory = new HeaderGuardPluginFactory();

  private Plugin guard(List<String> allowedValues, String tagValue) {
    return factory.create(new HeaderGuardConfig("x-tenant", allowedValues, null, tagValue), TestPluginContext.forRoute("users"));
  }

  /** Runs a request through the plugin's hooks the way the gateway does, up to the response. */
  private static Decision request(Plugin plugin, TestExchange exchange) {
    Decision decision = plugin.onRequest(exchange);
    plugin.onResponse(exchange, TestResponse.fromUpstream(200));
    return decision;
  }

  @Test
  void factoryIsFoundByServiceLoaderUnderItsYamlName() {
    List<PluginFactory<?>> found = new ArrayList<>();
    ServiceLoader.load(PluginFactory.class).forEach(found::add);

    assertThat(found).filteredOn(f -> f.name().equals("example_header_guard"))
        .singleElement()
        .isInstanceOf(HeaderGuardPluginFactory.class);
    assertThat(factory.configType()).isEqualTo(HeaderGuardConfig.class);
    assertThat(factory.phase()).isEqualTo(Phase.AUTHORIZATION);
    assertThat(factory.blocking()).isFalse();
  }

  @Test
  void requestWithoutTheHeaderIsRejectedWith400() {
    Plugin guard = guard(List.of("acme"), null);
    TestExchange exchange = TestExchange.get("/users").route("users");

    Decision decision = guard.onRequest(exchange);

    assertThat(decision).isInstanceOfSatisfying(Decision.Reply.class, reply -> {
      GatewayError error = reply.error();
      assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(error.httpStatus()).isEqualTo(400);
      assertThat(error.message()).isEqualTo("Missing header x-tenant");
      assertThat(error.details()).isEqualTo("example_header_guard.missing header=x-tenant");
      assertThat(error.source()).isEqualTo(GatewayError.Source.CLIENT);
    });
    assertThat(exchange.requestHeaders().contains("x-example-tag")).isFalse();
    assertThat(exchange.attributes().get(HeaderGuardPluginFactory.GUARDED_VALUE)).isNull();
  }

  @Test
  void valueNotInAllowedValuesIsRejectedWithoutEchoingIt() {
    Plugin guard = guard(List.of("acme", "globex"), null);
    TestExchange exchange = TestExchange.get("/users").route("users").header("X-Tenant", "initech");

    Decision decision = guard.onRequest(exchange);

    assertThat(decision).isInstanceOfSatisfying(Decision.Reply.class, reply -> {
      assertThat(reply.error().code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(reply.error().message()).isEqualTo("Header x-tenant has a value that is not allowed").doesNotContain("initech");
      assertThat(reply.error().details()).isEqualTo("example_header_guard.not_allowed header=x-tenant");
    });
  }

  @Test
  void headerSentTwiceIsRejectedEvenWhenBothValuesAreAllowed() {
    Plugin guard = guard(List.of("acme", "globex"), null);
    TestExchange exchange = TestExchange.get("/users").route("users").header("x-tenant", "acme").header("x-tenant", "globex");

    assertThat(guard.onRequest(exchange)).isInstanceOfSatisfying(Decision.Reply.class,
        reply -> assertThat(reply.error().message()).isEqualTo("Header x-tenant must be sent once"));
  }

  @Test
  void allowedValueProceedsTagsTheUpstreamRequestAndPublishesTheValue() {
    Plugin guard = guard(List.of("acme", "globex"), "edge-eu");
    TestExchange exchange = TestExchange.get("/users").route("users").header("x-tenant", "globex");

    Decision decision = guard.onRequest(exchange);

    assertThat(decision).isSameAs(Decision.proceed());
    assertThat(exchange.requestHeaders().getAll("x-example-tag")).containsExactly("edge-eu");
    assertThat(exchange.requestHeaders().get("x-tenant")).isEqualTo("globex");
    assertThat(exchange.attributes().get(HeaderGuardPluginFactory.GUARDED_VALUE)).isEqualTo("globex");
  }

  @Test
  void tagReplacesAnyTagTheClientSent() {
    Plugin guard = guard(List.of(), "edge-eu");
    TestExchange exchange = TestExchange.get("/users").route("users").header("x-tenant", "acme").header("x-example-tag", "forged");

    guard.onRequest(exchange);

    assertThat(exchange.requestHeaders().getAll("x-example-tag")).containsExactly("edge-eu");
  }

  @Test
  void emptyAllowedValuesAcceptAnyValueAndTheTagDefaultsToTheRouteId() {
    Plugin guard = guard(List.of(), null);
    TestExchange exchange = TestExchange.get("/users").route("users").header("x-tenant", "anyone at all");

    assertThat(guard.onRequest(exchange)).isSameAs(Decision.proceed());
    assertThat(exchange.requestHeaders().get("x-example-tag")).isEqualTo("users");
  }

  @Test
  void responseCarriesTheTagOnlyWhenTheGuardLetTheRequestThrough() {
    Plugin guard = guard(List.of("acme"), "edge-eu");
    TestExchange accepted = TestExchange.get("/users").route("users").header("x-tenant", "acme");
    TestExchange rejected = TestExchange.get("/users").route("users").header("x-tenant", "initech");
    TestResponse toAccepted = TestResponse.fromUpstream(200);
    TestResponse toRejected = TestResponse.fromGateway(400);

    guard.onRequest(accepted);
    guard.onResponse(accepted, toAccepted);
    guard.onRequest(rejected);
    guard.onResponse(rejected, toRejected);

    assertThat(toAccepted.headers().get("x-example-tag")).isEqualTo("edge-eu");
    assertThat(toRejected.headers().names()).isEmpty();
  }

  @Test
  void onCompleteCountsWhatTheGuardDecidedAndSkipsExchangesItNeverSaw() {
    HeaderGuard guard = (HeaderGuard) guard(List.of("acme"), null);
    TestExchange accepted = TestExchange.get("/users").route("users").header("x-tenant", "acme");
    TestExchange rejected = TestExchange.get("/users").route("users");
    TestExchange answeredEarlier = TestExchange.get("/users").route("users"); // e.g. a JWT plugin said 401 first

    request(guard, accepted);
    request(guard, rejected);
    guard.onComplete(accepted, accepted.outcome(200));
    guard.onComplete(rejected, rejected.outcome(400));
    guard.onComplete(answeredEarlier, answeredEarlier.outcome(401));

    assertThat(guard.counts().accepted()).isEqualTo(1);
    assertThat(guard.counts().rejected()).isEqualTo(1);
  }

  @Test
  void reloadWithTheSameConfigKeepsCountingWhereThePreviousInstanceLeftOff() {
    HeaderGuardConfig config = new HeaderGuardConfig("x-tenant", List.of(), null, null);
    HeaderGuard first = (HeaderGuard) factory.create(config, TestPluginContext.forRoute("users"));
    TestExchange exchange = TestExchange.get("/users").route("users");
    first.onRequest(exchange);
    first.onComplete(exchange, exchange.outcome(400));

    HeaderGuard reloaded = (HeaderGuard) factory.create(config, TestPluginContext.forRoute("users").previous(first));
    HeaderGuard otherRoute = (HeaderGuard) factory.create(config, TestPluginContext.forRoute("orders"));

    assertThat(reloaded).isNotSameAs(first);
    assertThat(reloaded.counts().rejected()).isEqualTo(1);
    assertThat(otherRoute.counts().rejected()).isZero();
  }

  @Test
  void countsStayExactWhenManyEventLoopsCompleteAtOnce() throws Exception {
    HeaderGuard guard = (HeaderGuard) guard(List.of("acme"), null);
    int threads = 8;
    int perThread = 5_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        boolean send = t % 2 == 0;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            TestExchange exchange = TestExchange.get("/users").route("users");
            if (send) {
              exchange.header("x-tenant", "acme");
            }
            guard.onRequest(exchange);
            guard.onComplete(exchange, exchange.outcome(send ? 200 : 400));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    }

    assertThat(guard.counts().accepted()).isEqualTo(threads / 2 * perThread);
    assertThat(guard.counts().rejected()).isEqualTo(threads / 2 * perThread);
  }
}
