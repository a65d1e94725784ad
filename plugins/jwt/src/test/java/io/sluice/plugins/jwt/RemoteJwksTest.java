package io.sluice.plugins.jwt;

import static io.sluice.plugins.jwt.JwtPluginTest.assertRefused;
import static io.sluice.plugins.jwt.TestKeys.ISSUER;
import static io.sluice.plugins.jwt.TestKeys.NOW;
import static io.sluice.plugins.jwt.TestKeys.claims;
import static io.sluice.plugins.jwt.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.sluice.plugintest.TestExchange;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.testing.Poll;
import io.sluice.spi.Identity;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Keys from a real JWKS endpoint on loopback: first fetch, rotation, refresh limits, outages. */
class RemoteJwksTest {

  static final RSAKey OLD = JwtPluginTest.RSA;
  static final ECKey NEW = TestKeys.ec("ec-2026");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final TestTime time = new TestTime(NOW);
  JwksServer jwks;
  JwksServer attacker;

  @AfterEach
  void stop() {
    jwks.close();
    if (attacker != null) {
      attacker.close();
    }
  }

  JwtPlugin plugin(String minInterval) throws Exception {
    return plugin(jwks.uri(), minInterval, System.getLogger("jwt-test"));
  }

  JwtPlugin plugin(String uri, String minInterval, System.Logger logger) throws Exception {
    return new JwtPlugin(JwtConfigs.parse("""
        issuers:
          - issuer: %s
            jwks_uri: "%s"
            algorithms: [RS256, ES256]
            audiences: [api]
            jwks_cache_ttl: 10m
            jwks_refresh_min_interval: %s
        """.formatted(ISSUER, uri, minInterval)), time, time, HTTP, logger);
  }

  /** The plugin's decision for {@code exchange}, after waiting for it if it was deferred. */
  static Decision settle(JwtPlugin plugin, TestExchange exchange) throws Exception {
    return settle(plugin.onRequest(exchange), exchange);
  }

  /** {@code decision}, made for {@code exchange}, after waiting for it if it was deferred. */
  static Decision settle(Decision decision, TestExchange exchange) throws Exception {
    return decision instanceof Decision.Await<?> await
        ? await.decision(exchange).toCompletableFuture().get(10, TimeUnit.SECONDS)
        : decision;
  }

  static String rs256(String subject) {
    return sign(OLD, JWSAlgorithm.RS256, claims().subject(subject).build());
  }

  static String es256(String subject) {
    return sign(NEW, JWSAlgorithm.ES256, claims().subject(subject).build());
  }

  @Test
  void anInstanceCreatedOnlyToValidateTheConfigFetchesNothing() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    JwtConfig config = JwtConfigs.parse("""
        issuers:
          - issuer: %s
            jwks_uri: "%s"
            algorithms: [RS256]
            audiences: [api]
        """.formatted(ISSUER, jwks.uri()));
    io.sluice.spi.PluginContext validating = new io.sluice.spi.PluginContext() {
      public String routeId() { return "r"; }
      public io.sluice.spi.Ticker ticker() { return time; }
      public java.util.Optional<io.sluice.spi.Plugin> previous() { return java.util.Optional.empty(); }
      public boolean validating() { return true; }
      public System.Logger logger() { return System.getLogger("jwt-test"); }
    };

    new JwtPluginFactory().create(config, validating).close();
    Thread.sleep(300); // proving that no fetch starts takes waiting

    assertThat(jwks.hits()).isZero();
  }

  @Test
  void theFirstFetchStartsAtCreationAndARequestWaitsForItWithoutBlocking() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    JwtPlugin plugin = plugin("30s");
    RemoteJwks remote = plugin.verifier().remote(ISSUER);

    assertThat(remote.fetches()).isEqualTo(1); // started by the constructor, before any request
    TestExchange alice = Requests.bearer(rs256("alice"));
    Decision first = plugin.onRequest(alice);

    assertThat(settle(first, alice)).isSameAs(Decision.proceed());
    assertThat(alice.attributes().get(Identity.KEY).subject()).as("published by the resume step").isEqualTo("alice");
    assertThat(settle(plugin, Requests.bearer(rs256("bob")))).isSameAs(Decision.proceed());
    assertThat(remote.fetches()).isEqualTo(1);
    assertThat(jwks.hits()).isEqualTo(1);
  }

  @Test
  void rotationANewKeyIsFetchedOnItsFirstTokenAndARemovedKeyStopsWorking() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    JwtPlugin plugin = plugin("0s");
    assertThat(settle(plugin, Requests.bearer(rs256("before")))).isSameAs(Decision.proceed());

    jwks.rotate(TestKeys.jwks(OLD, NEW)); // a new key appears
    TestExchange alice = Requests.bearer(es256("alice"));
    Decision newKey = plugin.onRequest(alice);
    assertThat(newKey).isInstanceOf(Decision.Await.class);
    assertThat(alice.attributes().get(Identity.KEY)).as("nothing published before the keys arrive").isNull();
    assertThat(settle(newKey, alice)).isSameAs(Decision.proceed());

    jwks.rotate(TestKeys.jwks(NEW)); // the old one disappears
    assertRefused(settle(plugin, Requests.bearer(sign(OLD, JWSAlgorithm.RS256, claims().subject("after").build(),
        h -> h.keyID("rsa-gone")))), "jwt.unknown_kid");
    assertRefused(settle(plugin, Requests.bearer(rs256("after"))), "jwt.unknown_kid");
    assertThat(plugin.verifier().remote(ISSUER).fetches()).isEqualTo(4);
  }

  @Test
  void anUnknownKidTriggersAtMostOneFetchPerMinimumInterval() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    JwtPlugin plugin = plugin("30s");
    RemoteJwks remote = plugin.verifier().remote(ISSUER);
    settle(plugin, Requests.bearer(rs256("warm-up")));
    time.advance(Duration.ofSeconds(31));

    assertRefused(settle(plugin, Requests.bearer(es256("a"))), "jwt.unknown_kid");
    assertThat(remote.fetches()).isEqualTo(2);
    Decision second = plugin.onRequest(Requests.bearer(es256("b")));
    assertThat(second).isInstanceOf(Decision.Reply.class); // refused at once, no fetch
    assertRefused(second, "jwt.unknown_kid");
    assertThat(remote.fetches()).isEqualTo(2);

    time.advance(Duration.ofSeconds(31));
    jwks.rotate(TestKeys.jwks(OLD, NEW));
    assertThat(settle(plugin, Requests.bearer(es256("c")))).isSameAs(Decision.proceed());
    assertThat(remote.fetches()).isEqualTo(3);
    assertThat(jwks.hits()).isEqualTo(3);
  }

  @Test
  void whenTheJwksServerIsDownTheLastGoodKeysAreKept() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    JwtPlugin plugin = plugin("30s");
    RemoteJwks remote = plugin.verifier().remote(ISSUER);
    assertThat(settle(plugin, Requests.bearer(rs256("alice")))).isSameAs(Decision.proceed());

    jwks.down(true);
    time.advance(Duration.ofMinutes(11)); // past the TTL: the next use refreshes in the background
    assertThat(plugin.onRequest(Requests.bearer(rs256("bob")))).isSameAs(Decision.proceed());
    await(() -> remote.fetches() == 2 && jwks.hits() == 2);
    waitForIdle(remote);

    assertThat(plugin.onRequest(Requests.bearer(rs256("carol")))).isSameAs(Decision.proceed());
    assertRefused(settle(plugin, Requests.bearer(sign(OLD, JWSAlgorithm.RS256, claims().build(),
        h -> h.keyID("unknown")))), "jwt.unknown_kid");
  }

  @Test
  void keysThatNeverLoadedAnswer503NotA401() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    jwks.down(true);
    JwtPlugin plugin = plugin("30s");

    GatewayError error = JwtPluginTest.rejection(settle(plugin, Requests.bearer(rs256("alice"))));

    assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
    assertThat(error.httpStatus()).isEqualTo(503);
    assertThat(error.details()).isEqualTo("jwt.keys_unavailable");
  }

  @Test
  void aJwksBodyWithoutEndIsCutOffAtTheLimitAndTheRequestIsAnswered503() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD)).endless("/endless");
    RecordingLogger log = new RecordingLogger();
    long started = System.nanoTime();

    JwtPlugin plugin = plugin(jwks.uri("/endless"), "30s", log);
    GatewayError error = JwtPluginTest.rejection(settle(plugin, Requests.bearer(rs256("alice"))));

    // long before the 10 s request timeout: the read stops as soon as the limit is passed
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(error.httpStatus()).isEqualTo(503);
    assertThat(error.details()).isEqualTo("jwt.keys_unavailable");
    assertThat(log.warnings()).singleElement().asString()
        .contains("JWKS " + jwks.uri("/endless") + " answered more than 524288 bytes (the most a JWK set may have); stopped reading")
        .contains("no keys yet: tokens of this issuer cannot be verified");
    Poll.until("the JWKS server sees its body cut off", () -> jwks.bodiesCutOff() == 1);
  }

  @Test
  void aJwksAnnouncingMoreThanTheLimitIsRefusedUnread() throws Exception {
    long length = 64L * 1024 * 1024;
    jwks = new JwksServer(TestKeys.jwks(OLD)).huge("/huge", length);
    RecordingLogger log = new RecordingLogger();

    JwtPlugin plugin = plugin(jwks.uri("/huge"), "30s", log);
    GatewayError error = JwtPluginTest.rejection(settle(plugin, Requests.bearer(rs256("alice"))));

    // the client stopped reading at once: what was sent fits in the sockets' buffers, far from all of it
    assertThat(jwks.bytesSent()).isLessThan(length / 4);
    assertThat(error.details()).isEqualTo("jwt.keys_unavailable");
    assertThat(log.warnings()).singleElement().asString()
        .contains("JWKS " + jwks.uri("/huge") + " answered more than 524288 bytes (the most a JWK set may have); stopped reading");
  }

  @Test
  void aJwksThatTricklesIsAbandonedAtTheFetchDeadline() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD)).trickle("/slow", 20);
    RecordingLogger log = new RecordingLogger();
    RemoteJwks remote = new RemoteJwks(URI.create(jwks.uri("/slow")), Duration.ofMinutes(10), Duration.ofSeconds(30), time, HTTP, log,
        Duration.ofMillis(500));
    long started = System.nanoTime();

    remote.fetchIfAllowed().get(5, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
    assertThat(remote.keys()).isNull();
    assertThat(remote.inFlight()).isNull(); // the next fetch may start when the interval allows
    assertThat(log.warnings()).singleElement().asString()
        .isEqualTo("WARNING JWKS " + jwks.uri("/slow") + " did not answer within 500 ms; no keys yet: tokens of this issuer cannot be verified");
    Poll.until("the JWKS server sees its body cut off", () -> jwks.bodiesCutOff() == 1);
  }

  @Test
  void aJwksAboveTheLimitKeepsTheLastGoodKeys() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD)).endless("/endless");
    RecordingLogger log = new RecordingLogger();
    JwtPlugin plugin = plugin(jwks.uri(), "0s", log);
    assertThat(settle(plugin, Requests.bearer(rs256("alice")))).isSameAs(Decision.proceed());

    jwks.rotate("{\"keys\":[" + " ".repeat(RemoteJwks.MAX_BYTES) + "]}");
    assertRefused(settle(plugin, Requests.bearer(sign(OLD, JWSAlgorithm.RS256, claims().build(),
        h -> h.keyID("new-kid")))), "jwt.unknown_kid");

    assertThat(plugin.verifier().remote(ISSUER).fetches()).isEqualTo(2);
    assertThat(log.warnings()).singleElement().asString().contains("answered more than 524288 bytes").contains("keeping the last good keys");
    assertThat(plugin.onRequest(Requests.bearer(rs256("bob")))).isSameAs(Decision.proceed());
  }

  /** The plugin as the gateway creates it: with the factory's own HTTP client, the one that meets redirects. */
  JwtPlugin created(String uri, System.Logger logger) throws Exception {
    JwtConfig config = JwtConfigs.parse("""
        issuers:
          - issuer: %s
            jwks_uri: "%s"
            algorithms: [RS256]
            audiences: [api]
        """.formatted(ISSUER, uri));
    return (JwtPlugin) new JwtPluginFactory().create(config, new io.sluice.spi.PluginContext() {
      public String routeId() { return "r"; }
      public io.sluice.spi.Ticker ticker() { return time; }
      public java.util.Optional<io.sluice.spi.Plugin> previous() { return java.util.Optional.empty(); }
      public System.Logger logger() { return logger; }
    });
  }

  @Test
  void aRedirectToAnotherOriginIsNotFollowed() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    attacker = new JwksServer(TestKeys.jwks(TestKeys.ATTACKER_RSA));
    jwks.redirect("/moved", attacker.uri()).redirect("/renamed", "http://localhost:" + jwks.port() + "/jwks.json");
    RecordingLogger log = new RecordingLogger();

    RemoteJwks toOtherPort = created(jwks.uri("/moved"), log).verifier().remote(ISSUER);
    waitForIdle(toOtherPort);
    RemoteJwks toOtherHost = created(jwks.uri("/renamed"), log).verifier().remote(ISSUER);
    waitForIdle(toOtherHost);

    assertThat(attacker.hits()).isZero();
    assertThat(jwks.hits()).isEqualTo(2); // the two redirects, and not the set behind the second one
    assertThat(toOtherPort.keys()).isNull();
    assertThat(toOtherHost.keys()).isNull();
    assertThat(log.warnings()).containsExactlyInAnyOrder(
        "WARNING JWKS " + jwks.uri("/moved") + " redirected to " + attacker.uri() + ", outside http://127.0.0.1:" + jwks.port()
            + ": not followed (set jwks_uri to the URL that serves the keys); no keys yet: tokens of this issuer cannot be verified",
        "WARNING JWKS " + jwks.uri("/renamed") + " redirected to http://localhost:" + jwks.port() + "/jwks.json, outside http://127.0.0.1:"
            + jwks.port() + ": not followed (set jwks_uri to the URL that serves the keys); no keys yet: tokens of this issuer cannot be verified");
  }

  @Test
  void aRedirectWithinTheOriginIsFollowedAFewTimes() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    jwks.redirect("/v1", "/v2").redirect("/v2", jwks.uri("/jwks.json")).redirect("/loop", "/loop");
    RecordingLogger log = new RecordingLogger();

    RemoteJwks moved = created(jwks.uri("/v1"), log).verifier().remote(ISSUER);
    waitForIdle(moved);
    assertThat(moved.keys()).extracting(VerificationKey::kid).containsExactly(OLD.getKeyID());
    assertThat(jwks.hits()).isEqualTo(3);

    RemoteJwks loop = created(jwks.uri("/loop"), log).verifier().remote(ISSUER);
    waitForIdle(loop);
    assertThat(loop.keys()).isNull();
    assertThat(jwks.hits()).isEqualTo(3 + 1 + 3); // the first request and three redirects
    assertThat(log.warnings()).containsExactly("WARNING JWKS " + jwks.uri("/loop") + " redirected more than 3 times: not followed;"
        + " no keys yet: tokens of this issuer cannot be verified");
  }

  @Test
  void aJkuHeaderIsNeverFollowed() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    RSAKey evil = TestKeys.ATTACKER_RSA;
    attacker = new JwksServer(TestKeys.jwks(evil));
    JwtPlugin plugin = plugin("0s");
    settle(plugin, Requests.bearer(rs256("warm-up")));

    String withJku = sign(evil, JWSAlgorithm.RS256, claims().build(), h -> h.keyID("attacker").jwkURL(URI.create(attacker.uri())));
    String withJkuAndRealKid = sign(evil, JWSAlgorithm.RS256, claims().subject("x").build(), h -> h.jwkURL(URI.create(attacker.uri())));
    String withX5u = sign(evil, JWSAlgorithm.RS256, claims().subject("y").build(), h -> h.x509CertURL(URI.create(attacker.uri())));

    assertRefused(settle(plugin, Requests.bearer(withJku)), "jwt.unknown_kid");
    assertRefused(settle(plugin, Requests.bearer(withJkuAndRealKid)), "jwt.signature_invalid");
    assertRefused(settle(plugin, Requests.bearer(withX5u)), "jwt.signature_invalid");
    assertThat(attacker.hits()).isZero();
  }

  @Test
  void aReloadWithTheSameConfigKeepsTheFetchedKeys() throws Exception {
    jwks = new JwksServer(TestKeys.jwks(OLD));
    JwtPlugin plugin = plugin("30s");
    settle(plugin, Requests.bearer(rs256("alice")));

    JwtPlugin reloaded = (JwtPlugin) new JwtPluginFactory().create(plugin.config(), new TestContext(plugin));

    assertThat(reloaded.onRequest(Requests.bearer(rs256("bob")))).isSameAs(Decision.proceed());
    assertThat(jwks.hits()).isEqualTo(1);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    io.sluice.testing.Poll.until("the condition", condition);
  }

  /** Waits for the fetch in flight, if any, to finish. */
  private static void waitForIdle(RemoteJwks remote) throws Exception {
    var running = remote.inFlight();
    if (running != null) {
      running.get(10, TimeUnit.SECONDS);
    }
  }

  /** The context of a reload whose previous instance is {@code previous}. */
  record TestContext(JwtPlugin replaced) implements io.sluice.spi.PluginContext {
    @Override
    public String routeId() {
      return "api";
    }

    @Override
    public io.sluice.spi.Ticker ticker() {
      return io.sluice.spi.Ticker.SYSTEM;
    }

    @Override
    public java.util.Optional<io.sluice.spi.Plugin> previous() {
      return java.util.Optional.of(replaced);
    }

    @Override
    public System.Logger logger() {
      return System.getLogger("jwt-test");
    }
  }

}
