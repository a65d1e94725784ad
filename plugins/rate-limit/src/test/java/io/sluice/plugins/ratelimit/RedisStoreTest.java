package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.RedisSettings;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code store: redis} against a real redis-server: each algorithm's accuracy under concurrent
 * clients, one limit shared by two gateways, concurrency slots in Redis, and scripts that Redis
 * forgot. Every route counts one global key, so all clients draw from one budget.
 */
class RedisStoreTest {

  static final int CLIENTS = 8;
  static RedisGateways all;
  static RedisServer redis;
  static Gateway gateway;
  static Gateway other;

  private static final String CONFIG = """
      redis: { uri: "${REDIS}", command_timeout: 1s }
      routes:
        - id: token
          match: { path: /token/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: token_bucket, limit: 50, window: 1h, key: global }
        - id: fixed
          match: { path: /fixed/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: fixed_window, limit: 100, window: 1s, key: global }
        - id: sliding
          match: { path: /sliding/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: sliding_window, limit: 100, window: 1s, key: global }
        - id: leaky
          match: { path: /leaky/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: leaky_bucket, limit: 50, window: 1s, burst: 5, key: global }
        - id: inflight
          match: { path: /inflight/** }
          upstream: backend
          rewrite: { strip_prefix: /inflight }
          plugins:
            - rate_limit: { store: redis, algorithm: concurrency, limit: 3, key: global }
        - id: paused
          match: { path: /paused/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: concurrency, limit: 1, key: global, timeout: 200ms }
        - id: shared
          match: { path: /shared/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: token_bucket, limit: 40, window: 1h, key: global }
        - id: smooth
          match: { path: /smooth/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: leaky_bucket, limit: 10, window: 1s, key: global, on_limit: delay, max_delay: 300ms }
        - id: loop
          match: { path: /loop/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, algorithm: token_bucket, limit: 1000, window: 1h, key: global }
        - id: noscript
          match: { path: /noscript/** }
          upstream: backend
          plugins:
            - rate_limit: { store: redis, instances: 5, algorithm: token_bucket, limit: 5, window: 1h, key: global }
      """;

  @BeforeAll
  static void start() throws Exception {
    all = RedisGateways.start(RedisServer.start(), CONFIG, 2);
    redis = all.redis;
    gateway = all.gateway(0);
    other = all.gateway(1);
    // connected first: a request before that is answered by the local fallback, which counts apart
    SharedRedis shared = SharedRedis.find(new RedisSettings(List.of(redis.uri()), false, Duration.ofSeconds(1)));
    Poll.until("connected to Redis", shared::connected);
  }

  @AfterAll
  static void stop() throws Exception {
    if (all != null) {
      all.close();
    }
  }

  /** What {@link #hammer} saw: answers by status, and when it ran (wall clock, the clock Redis reads here too). */
  record Run(int allowed, int refused, int other, long startMillis, long endMillis, AtomicInteger[] perGateway) {

    /** How many windows of {@code window} the run touched, partly or wholly. */
    long windowsTouched(Duration window) {
      return endMillis / window.toMillis() - startMillis / window.toMillis() + 1;
    }

    Duration elapsed() {
      return Duration.ofMillis(endMillis - startMillis);
    }
  }

  /** {@link #CLIENTS} clients send requests to {@code path} one after another for {@code duration}, spread over {@code gateways}. */
  static Run hammer(String path, Duration duration, Gateway... gateways) throws InterruptedException {
    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger others = new AtomicInteger();
    AtomicInteger[] perGateway = new AtomicInteger[gateways.length];
    for (int g = 0; g < gateways.length; g++) {
      perGateway[g] = new AtomicInteger();
    }
    long start = System.currentTimeMillis();
    long deadline = System.nanoTime() + duration.toNanos();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; System.nanoTime() - deadline < 0; i++) {
          int g = (client + i) % gateways.length;
          int status;
          try {
            status = gateways[g].send("GET", path).statusCode();
          } catch (Exception e) {
            status = -1;
          }
          if (status == 200) {
            allowed.incrementAndGet();
            perGateway[g].incrementAndGet();
          } else if (status == 429) {
            refused.incrementAndGet();
          } else {
            others.incrementAndGet();
          }
        }
      }));
    }
    for (Thread client : clients) {
      client.join();
    }
    return new Run(allowed.get(), refused.get(), others.get(), start, System.currentTimeMillis(), perGateway);
  }

  @Test
  void tokenBucketAllowsExactlyItsBurstToConcurrentClients() throws Exception {
    // one token per 72 s: within the run nothing refills, so the count is exact
    Run run = hammer("/token/x", Duration.ofSeconds(2), gateway);

    assertThat(run.other()).isZero();
    assertThat(run.refused()).isPositive();
    assertThat(run.allowed()).isEqualTo(50);
  }

  @Test
  void fixedWindowAllowsTheLimitInEveryWindowAndNeverMore() throws Exception {
    Run run = hammer("/fixed/x", Duration.ofMillis(2500), gateway);

    // at most the limit in each window touched; every window wholly inside the run is used up
    long windows = run.windowsTouched(Duration.ofSeconds(1));
    assertThat(run.other()).isZero();
    assertThat(run.allowed()).isBetween((int) (100 * (windows - 2)), (int) (100 * windows));
  }

  @Test
  void slidingWindowAllowsAboutTheLimitPerWindowAndNeverMoreThanItPerFixedWindow() throws Exception {
    Run run = hammer("/sliding/x", Duration.ofMillis(2500), gateway);

    // the weighted count never lets a window's own count pass the limit; a saturated window ends close to it
    long windows = run.windowsTouched(Duration.ofSeconds(1));
    assertThat(run.other()).isZero();
    assertThat(run.allowed()).isBetween((int) (95 * (windows - 2)), (int) (100 * windows));
  }

  @Test
  void leakyBucketLetsRequestsThroughAtItsRate() throws Exception {
    Run run = hammer("/leaky/x", Duration.ofSeconds(2), gateway);

    // the burst at once, then one every 20 ms whatever the number of clients: while clients keep it full, the
    // bucket never loses a turn, so the count is the burst plus the elapsed time times the rate; never more
    // (give or take 3 for the run's edges), and at most 5 % less, as the elapsed time also counts clients
    // starting and the last answers coming back
    double expected = 5 + run.elapsed().toMillis() / 20.0;
    assertThat(run.other()).isZero();
    assertThat((double) run.allowed()).isBetween(expected * 0.95 - 3, expected + 3);
  }

  @Test
  void delayModeHoldsRequestsUntilTheirTurnInRedis() throws Exception {
    InFlightAndDelayTest.assertBurstIsSmoothed(gateway, "/smooth/");
  }

  @Test
  void concurrencyKeepsAtMostTheLimitInFlightAcrossTheStoreAndGivesSlotsBack() throws Exception {
    String key = "sluice:rl:{inflight:1:concurrency:}";
    AtomicLong most = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sampler = Thread.ofPlatform().start(() -> {
      while (running.get()) {
        String count = redis.command("ZCARD", key);
        if (count != null && count.startsWith(":")) {
          most.accumulateAndGet(Long.parseLong(count.substring(1)), Math::max);
        }
      }
    });
    Run run;
    try {
      run = hammer("/inflight/slow?ms=50", Duration.ofSeconds(2), gateway);
    } finally {
      running.set(false);
      sampler.join();
    }

    assertThat(run.other()).isZero();
    assertThat(run.refused()).isPositive();
    assertThat(most.get()).isBetween(1L, 3L);
    // at most three at a time, each holding its slot 50 ms or more
    assertThat(run.allowed()).isPositive().isLessThanOrEqualTo((int) (3 * run.elapsed().toMillis() / 50 + 3));
    Poll.until("every slot given back in Redis", () -> ":0".equals(redis.command("ZCARD", key)));
  }

  @Test
  void aSlotTakenAfterTheRequestGaveUpWaitingIsGivenBack() throws Exception {
    // Redis answers only after the plugin's 200 ms: the request ends with 504 before its slot is taken
    assertThat(redis.command("CLIENT", "PAUSE", "700", "ALL")).isEqualTo("+OK");
    HttpResponse<String> gaveUp = gateway.send("GET", "/paused/x");

    assertThat(gaveUp.statusCode()).isEqualTo(504);
    assertThat(gaveUp.body()).contains("PLUGIN_TIMEOUT");
    // the slot the late script took goes back as soon as Redis answers (it would count for an hour otherwise)
    Poll.until("the one slot free again", () -> {
      try {
        return gateway.send("GET", "/paused/x").statusCode() == 200;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void twoGatewaysSharingOneRedisEnforceOneLimit() throws Exception {
    Run run = hammer("/shared/x", Duration.ofMillis(1500), gateway, other);

    assertThat(run.other()).isZero();
    assertThat(run.allowed()).isEqualTo(40);
    assertThat(run.perGateway()[0].get()).isPositive();
    assertThat(run.perGateway()[1].get()).isPositive();
  }

  @Test
  void aScriptRedisForgotIsLoadedAgain() throws Exception {
    HttpResponse<String> first = gateway.send("GET", "/noscript/x");
    assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("+OK");
    HttpResponse<String> second = gateway.send("GET", "/noscript/x");

    assertThat(first.headers().firstValue("X-RateLimit-Remaining")).hasValue("4");
    // counted in Redis: the local fallback (5 / 5 instances = 1) would have nothing left
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("X-RateLimit-Remaining")).hasValue("3");
  }

  @Test
  void aReloadKeepsTheSharedConnectionAndTheLastInstanceClosesIt() throws Exception {
    Map<String, String> env = all.env();
    SharedRedis before = SharedRedis.find(new RedisSettings(List.of(redis.uri()), false, Duration.ofSeconds(1)));
    gateway.reload(RedisGateways.config(CONFIG), env);

    assertThat(before).isNotNull();
    assertThat(SharedRedis.find(before.settings)).isSameAs(before);
    assertThat(gateway.send("GET", "/noscript/reload").statusCode()).isIn(200, 429);

    // settings of its own: a connection nobody else uses, gone with its gateway
    Gateway alone = Gateway.start(RedisGateways.config(CONFIG.replace("command_timeout: 1s", "command_timeout: 2s")), env);
    RedisSettings own = new RedisSettings(List.of(redis.uri()), false, Duration.ofSeconds(2));
    assertThat(SharedRedis.find(own)).isNotNull().isNotSameAs(before);
    alone.close();
    assertThat(SharedRedis.find(own)).isNull();
  }

  @Test
  void anEventLoopSendsItsCommandsOnAConnectionOfItsOwnOnceItIsUp() throws Exception {
    SharedRedis shared = SharedRedis.find(new RedisSettings(List.of(redis.uri()), false, Duration.ofSeconds(1)));
    Poll.until("an event loop's own connection to Redis is up", () -> {
      try {
        return gateway.send("GET", "/loop/warm").statusCode() == 200 && shared.loopConnections() > 0;
      } catch (Exception e) {
        return false;
      }
    });
    String before = redis.command("CLIENT", "LIST");

    List<Long> remaining = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> answer = gateway.send("GET", "/loop/x");
      assertThat(answer.statusCode()).isEqualTo(200);
      remaining.add(Long.parseLong(answer.headers().firstValue("X-RateLimit-Remaining").orElseThrow()));
    }

    // counted in Redis, one by one: the local fallback would count from 1000 / 1 on its own
    for (int i = 1; i < remaining.size(); i++) {
      assertThat(remaining.get(i)).isEqualTo(remaining.get(i - 1) - 1);
    }
    // the loops' connections are clients of their own, besides the shared one (and this test's)
    assertThat(before.lines().filter(client -> !client.contains("cmd=client")).count())
        .as(before).isGreaterThanOrEqualTo(1 + shared.loopConnections());
  }

  @Test
  void everyScriptReadsRedisTimeSoGatewayClocksDoNotMatter() {
    for (RedisScripts script : RedisScripts.values()) {
      assertThat(script.source).as(script.name()).contains("redis.call('TIME')").doesNotContain("ARGV[4]");
    }
  }
}
